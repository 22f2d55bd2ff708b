#include "gradplug/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gradplug {

namespace {

// torch's _annealing_cos: from start (pct 0) to end (pct 1) along half a cosine.
double anneal_cos(double start, double end, double pct) {
  return end + (start - end) / 2.0 * (std::cos(std::numbers::pi * pct) + 1.0);
}

double ratio(std::size_t a, std::size_t b) {
  return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0;
}

}  // namespace

std::size_t Schedule::warmup_length(std::size_t total) const {
  if (warmup_steps) return std::min(warmup_steps, total);
  return static_cast<std::size_t>(std::floor(warmup_fraction * static_cast<double>(total)));
}

double Schedule::lr(double base, std::size_t k, std::size_t total) const {
  const std::size_t warmup = warmup_length(total);
  if (k < warmup)
    return base * (warmup_start_factor + (1.0 - warmup_start_factor) * ratio(k, warmup));
  return after_warmup(base, k - warmup, total - warmup);
}

double Schedule::after_warmup(double base, std::size_t j, std::size_t span) const {
  const double progress = ratio(j, span);
  const double final_lr = final_factor * base;
  switch (kind) {
    case Kind::Constant:
      return base;
    case Kind::Linear:
      return base + (final_lr - base) * progress;
    case Kind::Step:  // whole periods done: floor
      return base * std::pow(gamma, static_cast<double>(j / (step_size ? step_size : 1)));
    case Kind::Cosine:
      return final_lr + (base - final_lr) * (1.0 + std::cos(std::numbers::pi * progress)) / 2.0;
    case Kind::Exponential:
      return base * std::pow(gamma, static_cast<double>(j));
    case Kind::MultiStep: {
      const auto passed = std::count_if(milestones.begin(), milestones.end(),
                                        [j](std::size_t m) { return m <= j; });
      return base * std::pow(gamma, static_cast<double>(passed));
    }
    case Kind::CosineRestarts: {
      std::size_t start = 0, period = std::max<std::size_t>(first_period, 1);
      while (j >= start + period) {  // whole periods done, each period_multiplier times longer
        start += period;
        period *= std::max<std::size_t>(period_multiplier, 1);
      }
      return final_lr + (base - final_lr) *
                            (1.0 + std::cos(std::numbers::pi * ratio(j - start, period))) / 2.0;
    }
    case Kind::OneCycle: {
      const double first = base / div_factor, last = first / final_div_factor;
      const double peak_step = pct_start * static_cast<double>(span) - 1.0;
      const double end_step = static_cast<double>(span) - 1.0;
      const double step = static_cast<double>(j);
      if (peak_step > 0.0 && step <= peak_step) return anneal_cos(first, base, step / peak_step);
      if (end_step <= std::max(peak_step, 0.0)) return last;  // too short to fall: one step
      const double fall_start = std::max(peak_step, 0.0);
      return anneal_cos(base, last, (step - fall_start) / (end_step - fall_start));
    }
  }
  return base;
}

const std::vector<std::string>& Schedule::names() {
  static const std::vector<std::string> names = {"constant",        "linear",      "step",
                                                 "cosine",          "exponential", "multistep",
                                                 "cosine_restarts", "one_cycle"};
  return names;
}

const char* Schedule::name(Kind kind) { return names()[static_cast<std::size_t>(kind)].c_str(); }

}  // namespace gradplug
