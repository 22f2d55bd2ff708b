// `gradplug report DIR` reads back what compare wrote: plan.json, each run's summary.json and
// metrics.csv, status records and shard records. Each field of each record, damaged in turn (the
// wrong type, or missing), is refused with exit 2 naming the file and the field; a field the
// report does not read may be anything. Never exit 1 or a crash, never a json exception's text.
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

namespace gradplug::testing {
namespace {

using nlohmann::json;

// A value of another type than `v`'s.
json wrong_type(const json& v) {
  if (v.is_string()) return 12345;
  if (v.is_number()) return "12abc";
  if (v.is_boolean()) return "yes";
  if (v.is_array()) return "a list?";
  if (v.is_object()) return 7;
  return json::array({1});  // null
}

// One comparison with a sweep, a shard record, and a second run that ended without a summary
// (a status record), made once for the whole suite.
const fs::path& comparison() {
  static TempDir dir;
  static const bool made = [] {
    const RunResult r = run_gradplug(
        {"compare", kMoons.string(), "--optimizers", "sgd,adam", "--sweep", "optimizer.lr=0.1",
         "--set", "training.steps=3", "--shard", "0/1", "--out", "c"},
        dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.describe();
    return true;
  }();
  (void)made;
  return dir.path();
}

const std::string kSgd = "runs/sgd_optimizer.lr_0.1/seed-1";
const std::string kAdam = "runs/adam_optimizer.lr_0.1/seed-1";

struct Damage {
  std::string file;   // relative to the comparison
  std::string field;  // the key path as the error names it
  json value;         // the damaged value (discarded: the field is removed)
};

// Applies the damage to a fresh copy; returns the report's result. The adam run, when
// `with_status`, is turned into one that failed before writing its summary.
RunResult report_with(const Damage& d, bool with_status) {
  TempDir cwd;
  fs::copy(comparison() / "c", cwd / "c", fs::copy_options::recursive);
  if (with_status) {
    fs::remove(cwd / "c" / kAdam / "summary.json");
    write_text(cwd / "c" / (kAdam + ".status.json"),
               R"({"status": "failed", "exit_code": 1, "seconds": 0.5})");
  }
  if (!d.file.empty()) {
    json doc = json::parse(read_text(cwd / "c" / d.file));
    json* at = &doc;
    std::string path = d.field;
    for (std::size_t dot; (dot = path.find_first_of(".[")) != std::string::npos;) {
      const std::string key = path.substr(0, dot);
      at = key.empty() ? at : &(*at)[key];
      if (path[dot] == '[') {
        const std::size_t close = path.find(']', dot);
        at = &(*at)[std::stoul(path.substr(dot + 1, close - dot - 1))];
        path = path.substr(close + 1 + (close + 1 < path.size() && path[close + 1] == '.'));
      } else {
        path = path.substr(dot + 1);
      }
    }
    if (path.empty())  // an element of a list
      *at = d.value;
    else if (d.value.is_discarded())
      at->erase(path);
    else
      (*at)[path] = d.value;
    write_text(cwd / "c" / d.file, doc.dump(2));
  }
  return run_gradplug({"report", "c", "--format", "csv"}, cwd.path());
}

void expect_refused(const Damage& d, bool with_status) {
  SCOPED_TRACE(d.file + " " + d.field + " = " + d.value.dump());
  const RunResult r = report_with(d, with_status);
  expect_user_error(r, fs::path(d.file).filename().string());
  EXPECT_CONTAINS(r.err, "field '" + d.field + "'");
  EXPECT_EQ(r.err.find("json.exception"), std::string::npos) << r.err;
}

TEST(DamagedRecords, TheComparisonReportsCleanly) {
  EXPECT_EQ(report_with({}, false).exit_code, 0);
  EXPECT_EQ(report_with({}, true).exit_code, 1);  // one run failed: reported, not an error
}

TEST(DamagedRecords, EveryFieldTheReportReadsIsCheckedForItsType) {
  const json plan = json::parse(read_text(comparison() / "c" / "plan.json"));
  std::vector<std::string> plan_fields = {"title",       "command", "sweep_keys",
                                          "target_loss", "log_y",   "runs"};
  for (const auto& [key, v] : plan["runs"][0].items()) plan_fields.push_back("runs[0]." + key);
  std::vector<Damage> cases;
  for (const auto& f : plan_fields) {  // missing, and of another type than its own value's
    cases.push_back({"plan.json", f, json(json::value_t::discarded)});
    cases.push_back(
        {"plan.json", f,
         wrong_type(f.rfind("runs[0].", 0) == 0 ? plan["runs"][0][f.substr(8)] : plan[f])});
  }
  cases.push_back({"plan.json", "sweep_keys[0]", 5});
  cases.push_back({"plan.json", "runs[0].seed", -1});
  cases.push_back({"plan.json", "runs[0].seed", 1.5});
  cases.push_back({"plan.json", "runs[0].sets[0]", json::object()});
  cases.push_back({"plan.json", "runs[0].folder", ".."});
  for (const char* f :
       {"stopped", "steps", "train_seconds", "train", "train.loss", "train.accuracy"})
    cases.push_back({kSgd + "/summary.json", f, "12abc"});
  cases.push_back({kSgd + "/summary.json", "steps", -3});
  cases.push_back({kSgd + "/summary.json", "validation", "x"});
  for (const char* f : {"shard", "shards", "host", "started", "finished"})
    cases.push_back(
        {"shards/shard-0-of-1.json", f, f[0] == 's' && f[1] == 'h' ? json("x") : json(3)});
  for (const char* f : {"shard", "shards", "host", "started"})
    cases.push_back({"shards/shard-0-of-1.json", f, json(json::value_t::discarded)});
  for (const Damage& d : cases) expect_refused(d, false);
  for (const json& v : {json(3), json(nullptr), json::array()})
    expect_refused({kAdam + ".status.json", "status", v}, true);
  expect_refused({kAdam + ".status.json", "status", json(json::value_t::discarded)}, true);
}

TEST(DamagedRecords, FieldsTheReportDoesNotReadMayBeAnything) {
  const json summary = json::parse(read_text(comparison() / "c" / kSgd / "summary.json"));
  for (const auto& [key, v] : summary.items()) {
    if (key == "stopped" || key == "steps" || key == "train_seconds" || key == "train") continue;
    SCOPED_TRACE(key);
    const RunResult r = report_with({kSgd + "/summary.json", key, wrong_type(v)}, false);
    EXPECT_EQ(r.exit_code, 0) << r.describe();
  }
}

TEST(DamagedRecords, DamagedFilesAndMetricsNameTheirPlace) {
  TempDir cwd;
  const auto fresh = [&]() {
    fs::remove_all(cwd / "c");
    fs::copy(comparison() / "c", cwd / "c", fs::copy_options::recursive);
  };
  const auto report = [&]() { return run_gradplug({"report", "c"}, cwd.path()); };
  const fs::path metrics = cwd / "c" / kSgd / "metrics.csv";
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"1,1,0.5,abc,0.5,,,0.1,1,0\n", "metrics.csv:3:"},
      {"1,1,0.5,0.5junk,0.5,,,0.1,1,0\n", "data_loss: expected a number, got '0.5junk'"},
      {"1,1,0.5,inf,0.5,,,0.1,1,0\n", "data_loss: 'inf' is not a finite number"},
      {"1,1\n", "metrics.csv:3: expected the columns of metrics.csv"},
  };
  for (const auto& [row, expected] : rows) {
    fresh();
    const std::string text = read_text(metrics);
    const std::size_t second = text.find('\n', text.find('\n') + 1) + 1;
    write_text(metrics, text.substr(0, second) + row + text.substr(second));
    expect_user_error(report(), expected);
  }
  const std::vector<std::pair<std::string, std::string>> files = {
      {kSgd + "/summary.json", "{\"steps\": 3"},
      {kSgd + "/summary.json", "[1, 2]"},
      {kSgd + "/summary.json", "\xff\xfe"},
      {"plan.json",
       "{\"format\": \"gradplug-compare-plan\", \"format_version\": 1, \"title\": \"\xff\"}"},
      {"shards/shard-0-of-1.json", "nul\n"},
      {"shards/shard-0-of-1.json", "\"text\""},
  };
  for (const auto& [file, text] : files) {
    SCOPED_TRACE(file + ": " + text);
    fresh();
    write_text(cwd / "c" / file, text);
    const RunResult r = report();
    expect_user_error(r, fs::path(file).filename().string());
    EXPECT_EQ(r.err.find("json.exception"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace gradplug::testing
