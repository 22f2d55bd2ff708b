// Learning-rate schedules: the lr for step k (0-based) of `total` steps, from the optimizer's
// base lr. Factors are relative to the base lr (final_factor, start_factor), so one schedule suits
// every optimizer in a comparison. Each kind follows torch.optim.lr_scheduler (checked against
// tests/reference/schedule_lrs.json), with the schedule's span being the run's steps after warmup:
//   constant         base
//   linear           base + (final - base) j / T                      (LinearLR 1 -> final_factor)
//   step             base gamma^floor(j / step_size)                  (StepLR)
//   cosine           final + (base - final) (1 + cos(pi j / T)) / 2  (CosineAnnealingLR)
//   exponential      base gamma^j                                     (ExponentialLR)
//   multistep        base gamma^(number of milestones <= j)           (MultiStepLR)
//   cosine_restarts  the cosine over the current period; periods first_period, then each
//                    period_multiplier times longer (CosineAnnealingWarmRestarts, SGDR)
//   one_cycle        from base / div_factor up to base until step pct_start T - 1, then down to
//                    base / div_factor / final_div_factor at T - 1, cosine-shaped (OneCycleLR,
//                    learning rate only: max_lr is the optimizer's lr)
// final = final_factor * base; j is the step after warmup and T the steps after warmup.
// Warmup (LinearLR chained by SequentialLR): for k < W, base (start_factor + (1 - start_factor)
// k / W); W is warmup_steps, or warmup_fraction of the run.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace gradplug {

struct Schedule {
  enum class Kind {
    Constant,
    Linear,
    Step,
    Cosine,
    Exponential,
    MultiStep,
    CosineRestarts,
    OneCycle
  };
  Kind kind = Kind::Constant;
  double final_factor = 0.0;  // linear, cosine, cosine_restarts: the lowest lr / the base lr
  std::size_t step_size = 1;  // step
  double gamma = 0.1;         // step, exponential, multistep
  std::vector<std::size_t> milestones;  // multistep: steps (after warmup) where lr *= gamma
  std::size_t first_period = 10;        // cosine_restarts
  std::size_t period_multiplier = 1;    // cosine_restarts
  double pct_start = 0.3;               // one_cycle: the share of the steps spent rising
  double div_factor = 25.0;             // one_cycle: the first lr is base / div_factor
  double final_div_factor = 1e4;        // one_cycle: the last lr is that / final_div_factor
  std::size_t warmup_steps = 0;         // warmup: this many steps, or
  double warmup_fraction = 0.0;         //   this fraction of the run (when warmup_steps is 0)
  double warmup_start_factor = 0.1;     // warmup: the first lr / the base lr

  double lr(double base_lr, std::size_t k, std::size_t total) const;
  // The warmup's length in a run of `total` steps.
  std::size_t warmup_length(std::size_t total) const;

  static const std::vector<std::string>& names();  // "constant", "linear", ..., "one_cycle"
  static const char* name(Kind kind);

 private:
  double after_warmup(double base, std::size_t j, std::size_t span) const;
};

}  // namespace gradplug
