// Every learning-rate schedule, alone and after a warmup, against torch.optim.lr_scheduler's
// sequences in tests/reference/schedule_lrs.json (gen_schedule_refs.py, PyTorch 1.13): the lr of
// every step to 1e-12 relative.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "gradplug/schedule.hpp"

namespace {

using gradplug::Schedule;
using nlohmann::json;

json reference() {
  const std::string path = std::string(GRADPLUG_SOURCE_DIR) + "/tests/reference/schedule_lrs.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return json::parse(in);
}

// The Schedule a reference case stands for (its "gradplug" mapping; eta_min is absolute there,
// final_factor relative here).
Schedule schedule_of(const json& g, double base_lr) {
  Schedule s;
  const auto& names = Schedule::names();
  const auto at = std::find(names.begin(), names.end(), g.at("schedule").get<std::string>());
  if (at == names.end()) throw std::logic_error("no schedule " + g.at("schedule").dump());
  s.kind = static_cast<Schedule::Kind>(at - names.begin());
  s.final_factor = g.value("final_factor", g.value("eta_min", 0.0) / base_lr);
  s.step_size = g.value("step_size", std::size_t{1});
  s.gamma = g.value("gamma", 0.1);
  s.milestones = g.value("milestones", std::vector<std::size_t>{});
  s.first_period = g.value("first_period", std::size_t{10});
  s.period_multiplier = g.value("period_multiplier", std::size_t{1});
  s.pct_start = g.value("pct_start", 0.3);
  s.div_factor = g.value("div_factor", 25.0);
  s.final_div_factor = g.value("final_div_factor", 1e4);
  if (g.contains("warmup") && !g.at("warmup").is_null()) {
    s.warmup_steps = g.at("warmup").at("steps").get<std::size_t>();
    s.warmup_start_factor = g.at("warmup").at("start_factor").get<double>();
  }
  return s;
}

TEST(ScheduleReference, EveryScheduleFollowsPyTorch) {
  const json doc = reference();
  std::size_t checked = 0;
  for (const json& c : doc.at("cases")) {
    const std::string name = c.at("name").get<std::string>();
    const json& g = c.at("gradplug");
    // torch's OneCycleLR after a SequentialLR warmup only warms up to max_lr / div_factor (it
    // resets the initial lr); gradplug refuses warmup with one_cycle, which rises on its own.
    if (g.at("schedule") == "one_cycle" && !g.at("warmup").is_null()) continue;
    const double base = c.at("base_lr").get<double>();
    const Schedule s = schedule_of(g, base);
    const auto lrs = c.at("lrs").get<std::vector<double>>();
    for (std::size_t k = 0; k < lrs.size(); ++k) {
      const double got = s.lr(base, k, lrs.size());
      ASSERT_LE(std::fabs(got - lrs[k]), 1e-12 * std::fabs(lrs[k]))
          << name << ": step " << k << ": got " << got << ", torch " << lrs[k];
    }
    ++checked;
  }
  EXPECT_EQ(checked, 29u);  // 33 cases less the four warmup + one_cycle ones
}

TEST(Schedule, WarmupByFractionIsThatShareOfTheRun) {
  Schedule s;
  s.warmup_fraction = 0.25;
  s.warmup_start_factor = 0.5;
  EXPECT_EQ(s.warmup_length(100), 25u);
  EXPECT_DOUBLE_EQ(s.lr(2.0, 0, 100), 1.0);
  EXPECT_DOUBLE_EQ(s.lr(2.0, 10, 100), 2.0 * (0.5 + 0.5 * 10.0 / 25.0));
  EXPECT_DOUBLE_EQ(s.lr(2.0, 25, 100), 2.0);
}

}  // namespace
