#include "config/experiment_config.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include "cli/suggest.hpp"
#include "config/number_text.hpp"
#include "gradplug/error.hpp"
#include "gradplug/registry.hpp"
#include "gradplug/schema.hpp"
#include "gradplug/text.hpp"

namespace gradplug::host {

namespace {

using Type = ConfigNode::Type;

[[noreturn]] void fail(const ConfigNode& node, const std::string& path, const std::string& what) {
  throw Error(node.where + ": " + path + ": " + what);
}

const char* type_word(Type type) {
  switch (type) {
    case Type::Null:
      return "nothing";
    case Type::Scalar:
      return "a single value";
    case Type::Sequence:
      return "a list";
    case Type::Map:
      return "a map of keys";
  }
  return "?";
}

std::string shown(const ConfigNode& node) {
  if (node.type != Type::Scalar) return type_word(node.type);
  std::string text;
  for (std::size_t i = 0; i < node.scalar.size() && i < 40; ++i) {
    const unsigned char c = static_cast<unsigned char>(node.scalar[i]);
    if (c < 0x20 || c == 0x7F) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", c);
      text += escaped;
    } else {
      text += static_cast<char>(c);
    }
  }
  if (node.scalar.size() > 40) text += "...";
  return "'" + text + "'";
}

// A map whose keys are consumed one by one; finish() rejects the rest as unknown.
class MapReader {
 public:
  MapReader(const ConfigNode& node, std::string path, std::vector<std::string> allowed)
      : node_(node), path_(std::move(path)), allowed_(std::move(allowed)) {
    if (node.type != Type::Map)
      fail(node, path_.empty() ? "config" : path_,
           std::string("expected a map of keys (") + join(allowed_) + "), got " + shown(node));
    for (const auto& [key, value] : node.entries)
      if (std::find(allowed_.begin(), allowed_.end(), key) == allowed_.end())
        throw Error(node.where_key(key) + ": " + child_path(key) + ": " + "unknown key '" + key +
                    "'" + did_you_mean(key, allowed_) + "; valid keys" +
                    (path_.empty() ? "" : " in " + path_) + ": " + join(allowed_));
  }

  const ConfigNode* optional(const std::string& key) const {
    const ConfigNode* value = node_.find(key);
    return value && value->type != Type::Null ? value : nullptr;
  }
  const ConfigNode& required(const std::string& key) const {
    if (const ConfigNode* value = optional(key)) return *value;
    fail(node_, path_.empty() ? "config" : path_, "missing required key '" + key + "'");
  }
  std::string child_path(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }
  const ConfigNode& node() const { return node_; }

 private:
  const ConfigNode& node_;
  std::string path_;
  std::vector<std::string> allowed_;
};

double parse_real(const ConfigNode& node, const std::string& path) {
  if (node.type != Type::Scalar) fail(node, path, "expected a number, got " + shown(node));
  double x = 0;
  if (const std::string problem = real_problem(node.scalar, shown(node), x); !problem.empty())
    fail(node, path, problem);
  return x;
}

double read_real(const ConfigNode& node, const std::string& path, double lo, double hi,
                 bool lo_open = false) {
  const double x = parse_real(node, path);
  if ((lo_open ? !(x > lo) : !(x >= lo)) || !(x <= hi))
    fail(node, path,
         shown(node) + " is out of range; expected a number in " + (lo_open ? "(" : "[") +
             format_number(lo) + ", " + format_number(hi) + "]");
  return x;
}

long long read_int(const ConfigNode& node, const std::string& path, long long lo, long long hi) {
  if (node.type != Type::Scalar) fail(node, path, "expected a whole number, got " + shown(node));
  std::int64_t x = 0;
  if (const std::string problem = integer_problem(node.scalar, shown(node), lo, hi, x);
      !problem.empty())
    fail(node, path, problem);
  return x;
}

// A seed is any 64-bit unsigned number, read exactly from its digits.
std::uint64_t read_seed(const ConfigNode& node) {
  if (node.type != Type::Scalar) fail(node, "seed", "expected a whole number, got " + shown(node));
  std::uint64_t seed = 0;
  const std::string problem =
      unsigned_problem(node.scalar, shown(node), std::numeric_limits<std::uint64_t>::max(), seed);
  if (!problem.empty()) fail(node, "seed", problem);
  return seed;
}

bool parse_bool(const ConfigNode& node, const std::string& path) {
  static const std::set<std::string> yes = {"true", "True", "TRUE"},
                                     no = {"false", "False", "FALSE"};
  if (node.type == Type::Scalar && yes.count(node.scalar)) return true;
  if (node.type == Type::Scalar && no.count(node.scalar)) return false;
  fail(node, path, "expected true or false, got " + shown(node));
}

std::string read_name(const ConfigNode& node, const std::string& path,
                      const std::vector<std::string>& valid) {
  if (node.type != Type::Scalar)
    fail(node, path, "expected one of " + join(valid) + ", got " + shown(node));
  if (std::find(valid.begin(), valid.end(), node.scalar) == valid.end())
    fail(node, path,
         "unknown value " + shown(node) + did_you_mean(node.scalar, valid) +
             "; valid: " + join(valid));
  return node.scalar;
}

std::size_t index_of(const std::vector<std::string>& names, const std::string& name) {
  return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

// One plugin parameter as the number(s) its schema entry's type calls for; whether it lies in its
// range is core's check (check_values), run once all parameters are read.
gp_value read_param(const ConfigNode& node, const std::string& path, const gp_param& p) {
  switch (p.type) {
    case GP_PARAM_BOOL:
      return gp_value{{parse_bool(node, path) ? 1.0 : 0.0, 0.0}};
    case GP_PARAM_CHOICE: {
      const std::vector<std::string> words = choice_words(p);
      return gp_value{{static_cast<double>(index_of(words, read_name(node, path, words))), 0.0}};
    }
    case GP_PARAM_PAIR: {
      if (node.type != Type::Sequence || node.items.size() != 2)
        fail(node, path, "expected " + describe_accepted(p) + ", got " + shown(node));
      return gp_value{
          {parse_real(node.items[0], path + "[0]"), parse_real(node.items[1], path + "[1]")}};
    }
    case GP_PARAM_INT:
    case GP_PARAM_REAL: {
      const double x = parse_real(node, path);
      if (p.type == GP_PARAM_INT && std::floor(x) != x)
        fail(node, path, "expected a whole number, got " + shown(node));
      return gp_value{{x, 0.0}};
    }
  }
  return {};
}

// Core's range check of a plugin's values, its error placed at the value the user wrote (the
// element of a pair), or at the plugin's entry for a default.
void check_plugin_values(const ConfigNode& node, const std::string& path, const gp_descriptor& d,
                         const std::vector<gp_value>& values) {
  try {
    check_values(d.params, d.param_count, values, path);
  } catch (const Error& e) {
    std::string key = e.key_path().substr(std::min(e.key_path().size(), path.size() + 1));
    const std::size_t bracket = key.find('[');
    const ConfigNode* at = node.type == Type::Map ? node.find(key.substr(0, bracket)) : nullptr;
    if (at && bracket != std::string::npos && at->type == Type::Sequence)
      at = &at->items[key[bracket + 1] == '1' ? 1 : 0];
    throw Error((at ? *at : node).where + ": " + e.what());
  }
}

// A plugin chosen as `name` or as {name: ..., param: value, ...}.
PluginChoice read_plugin(const ConfigNode& node, const std::string& path, gp_kind kind,
                         const Registry& registry, bool allow_linear = false) {
  std::vector<std::string> known = registry.names(kind);
  if (allow_linear) known.insert(known.begin(), "linear");
  const ConfigNode* name_node = &node;
  if (node.type == Type::Map) {
    name_node = node.find("name");
    if (!name_node || name_node->type == Type::Null)
      fail(node, path,
           std::string("missing required key 'name' (the ") + kind_name(kind) +
               "; known: " + join(known) + ")");
  }
  if (name_node->type != Type::Scalar)
    fail(*name_node, path,
         std::string("expected a ") + kind_name(kind) + " name or {name: ..., parameters}, got " +
             shown(*name_node));
  PluginChoice choice;
  choice.name = name_node->scalar;
  if (allow_linear && choice.name == "linear") {
    if (node.type == Type::Map && node.entries.size() > 1)
      fail(node, path, "'linear' takes no parameters");
    return choice;
  }
  const LoadedPlugin* plugin = registry.find(kind, choice.name);
  if (!plugin) {
    std::string message = std::string("unknown ") + kind_name(kind) + " '" + choice.name + "'" +
                          did_you_mean(choice.name, known) + "; known: " + join(known);
    for (const auto& skip : registry.skipped())
      message += "\n  (a plugin file was skipped: " + skip.file.string() + ": " + skip.reason + ")";
    fail(*name_node, path, message);
  }
  const gp_descriptor& d = *plugin->descriptor;
  choice.values = default_values(d.params, d.param_count);
  if (node.type != Type::Map) return choice;
  std::vector<std::string> param_names;
  for (std::size_t i = 0; i < d.param_count; ++i) param_names.emplace_back(d.params[i].name);
  for (const auto& [key, value] : node.entries) {
    if (key == "name") continue;
    const std::size_t i = index_of(param_names, key);
    if (i == param_names.size()) {
      std::vector<std::string> valid = param_names;
      throw Error(node.where_key(key) + ": " + path + "." + key + ": " + "unknown parameter '" +
                  key + "' of " + kind_name(kind) + " '" + choice.name + "'" +
                  did_you_mean(key, valid) +
                  "; its parameters: " + (valid.empty() ? "none" : join(valid)));
    }
    if (value.type == Type::Null) fail(value, path + "." + key, "no value given");
    choice.values[i] = read_param(value, path + "." + key, d.params[i]);
  }
  check_plugin_values(node, path, d, choice.values);
  return choice;
}

Dataset read_inline_data(const MapReader& data, LossKind loss) {
  Dataset d;
  const ConfigNode& xs = data.required("x");
  const std::string xpath = data.child_path("x");
  if (xs.type != Type::Sequence || xs.items.empty())
    fail(xs, xpath, "expected a non-empty list of rows, e.g. [[2, 3, -1], [3, -1, 0.5]]");
  for (std::size_t r = 0; r < xs.items.size(); ++r) {
    const ConfigNode& row = xs.items[r];
    const std::string rpath = xpath + "[" + std::to_string(r) + "]";
    if (row.type != Type::Sequence || row.items.empty())
      fail(row, rpath, "expected a non-empty list of numbers (one row), got " + shown(row));
    if (r == 0) d.features = row.items.size();
    if (row.items.size() != d.features)
      fail(row, rpath,
           "this row has " + std::to_string(row.items.size()) + " values, the first row has " +
               std::to_string(d.features) + "; every row needs the same number");
    for (std::size_t k = 0; k < row.items.size(); ++k)
      d.x.push_back(parse_real(row.items[k], rpath + "[" + std::to_string(k) + "]"));
  }
  d.rows = xs.items.size();
  const ConfigNode& ys = data.required("y");
  const std::string ypath = data.child_path("y");
  if (ys.type != Type::Sequence || ys.items.size() != d.rows)
    fail(
        ys, ypath,
        "expected a list of " + std::to_string(d.rows) + " targets (one per row of x), got " +
            (ys.type == Type::Sequence ? std::to_string(ys.items.size()) + " entries" : shown(ys)));
  d.target_columns = ys.items[0].type == Type::Sequence ? ys.items[0].items.size() : 1;
  for (std::size_t r = 0; r < d.rows; ++r) {
    const ConfigNode& t = ys.items[r];
    const std::string tpath = ypath + "[" + std::to_string(r) + "]";
    if (t.type == Type::Sequence) {
      if (t.items.empty()) fail(t, tpath, "a target needs at least one value");
      if (t.items.size() != d.target_columns)
        fail(t, tpath,
             "every target needs " + std::to_string(d.target_columns) + " values, like the first");
      for (std::size_t k = 0; k < t.items.size(); ++k)
        d.y.push_back(parse_real(t.items[k], tpath + "[" + std::to_string(k) + "]"));
    } else {
      if (d.target_columns != 1) fail(t, tpath, "expected a list like the first target");
      d.y.push_back(parse_real(t, tpath));
    }
  }
  if (loss_is_classification(loss)) {
    if (d.target_columns != 1)
      fail(ys, ypath, std::string("loss '") + loss_name(loss) + "' needs one class index per row");
    std::size_t classes = 0;
    const bool binary = loss != LossKind::SoftmaxCE;
    for (std::size_t r = 0; r < d.rows; ++r) {
      const double c = d.y[r];
      if (binary && c != 0 && c != 1)
        fail(ys.items[r], ypath + "[" + std::to_string(r) + "]",
             std::string("loss '") + loss_name(loss) + "' takes class labels 0 or 1; got " +
                 shown(ys.items[r]));
      if (c < 0 || std::floor(c) != c || c > 100000)
        fail(ys.items[r], ypath + "[" + std::to_string(r) + "]",
             "class labels are whole numbers 0, 1, ...; got " + shown(ys.items[r]));
      classes = std::max(classes, static_cast<std::size_t>(c) + 1);
    }
    classes = std::max<std::size_t>(classes, 2);
    for (std::size_t c = 0; c < classes; ++c) d.class_names.push_back(std::to_string(c));
  }
  return d;
}

}  // namespace

namespace {

void read_split_and_scaling(const MapReader& data, DataSpec& spec) {
  if (const ConfigNode* n = data.optional("split")) {
    const MapReader split(*n, "data.split", {"validation", "test"});
    if (const ConfigNode* v = split.optional("validation"))
      spec.split.validation = read_real(*v, "data.split.validation", 0.0, 1.0, false);
    if (const ConfigNode* v = split.optional("test"))
      spec.split.test = read_real(*v, "data.split.test", 0.0, 1.0);
    if (spec.split.validation + spec.split.test >= 1.0)
      fail(*n, "data.split", "validation + test must be below 1 so rows are left to train on");
  }
  if (const ConfigNode* n = data.optional("standardize"))
    spec.standardize = parse_bool(*n, "data.standardize");
}

}  // namespace

// model.init: gradplug's names, or PyTorch's (kaiming is he, glorot is xavier); config.yaml
// writes gradplug's.
Init read_init(const ConfigNode& n) {
  static const std::vector<std::pair<std::string, std::string>> aliases = {{"kaiming", "he"},
                                                                           {"glorot", "xavier"}};
  std::vector<std::string> accepted = init_names();
  for (const auto& [alias, name] : aliases) accepted.push_back(alias);
  std::string name = read_name(n, "model.init", accepted);
  for (const auto& [alias, canonical] : aliases)
    if (name == alias) name = canonical;
  return static_cast<Init>(index_of(init_names(), name));
}

// The keys each schedule takes besides its name, in the order config.yaml writes them.
std::vector<std::string> schedule_keys(Schedule::Kind kind) {
  using K = Schedule::Kind;
  switch (kind) {
    case K::Constant:
      return {};
    case K::Linear:
    case K::Cosine:
      return {"final_factor"};
    case K::Step:
      return {"step_size", "gamma"};
    case K::Exponential:
      return {"gamma"};
    case K::MultiStep:
      return {"milestones", "gamma"};
    case K::CosineRestarts:
      return {"first_period", "period_multiplier", "final_factor"};
    case K::OneCycle:
      return {"pct_start", "div_factor", "final_div_factor"};
  }
  return {};
}

// milestones: whole steps, each after the one before.
std::vector<std::size_t> read_milestones(const ConfigNode& node, const std::string& path) {
  if (node.type != Type::Sequence || node.items.empty())
    fail(node, path, "expected a list of steps such as [30, 60, 90], got " + shown(node));
  std::vector<std::size_t> steps;
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    const auto step = static_cast<std::size_t>(read_int(node.items[i], at, 1, kMaxSteps));
    if (!steps.empty() && step <= steps.back())
      fail(node.items[i], at,
           "milestones must increase: " + std::to_string(step) + " does not follow " +
               std::to_string(steps.back()));
    steps.push_back(step);
  }
  return steps;
}

// training.schedule: a name, or a map with a name and that schedule's keys.
void read_schedule(const ConfigNode& n, Schedule& schedule) {
  const ConfigNode* name_node = &n;
  if (n.type == Type::Map) {
    name_node = n.find("name");
    if (!name_node)
      fail(n, "training.schedule", "missing required key 'name' (" + join(Schedule::names()) + ")");
  }
  schedule.kind = static_cast<Schedule::Kind>(index_of(
      Schedule::names(), read_name(*name_node, "training.schedule.name", Schedule::names())));
  if (n.type != Type::Map) return;
  std::vector<std::string> keys = schedule_keys(schedule.kind);
  keys.insert(keys.begin(), "name");
  const MapReader reader(n, "training.schedule", keys);
  const std::string at = "training.schedule.";
  if (const ConfigNode* v = reader.optional("final_factor"))
    schedule.final_factor = read_real(*v, at + "final_factor", 0.0, 1e6);
  if (const ConfigNode* v = reader.optional("step_size"))
    schedule.step_size = static_cast<std::size_t>(read_int(*v, at + "step_size", 1, kMaxSteps));
  if (const ConfigNode* v = reader.optional("gamma"))
    schedule.gamma = read_real(*v, at + "gamma", 0.0, 1e6, true);
  if (const ConfigNode* v = reader.optional("milestones"))
    schedule.milestones = read_milestones(*v, at + "milestones");
  if (const ConfigNode* v = reader.optional("first_period"))
    schedule.first_period =
        static_cast<std::size_t>(read_int(*v, at + "first_period", 1, kMaxSteps));
  if (const ConfigNode* v = reader.optional("period_multiplier"))
    schedule.period_multiplier =
        static_cast<std::size_t>(read_int(*v, at + "period_multiplier", 1, 1000));
  if (const ConfigNode* v = reader.optional("pct_start"))
    schedule.pct_start = read_real(*v, at + "pct_start", 0.0, 1.0, true);
  if (const ConfigNode* v = reader.optional("div_factor"))
    schedule.div_factor = read_real(*v, at + "div_factor", 0.0, 1e12, true);
  if (const ConfigNode* v = reader.optional("final_div_factor"))
    schedule.final_div_factor = read_real(*v, at + "final_div_factor", 0.0, 1e12, true);
}

// training.warmup: {steps: N} or {fraction: f}, with start_factor; it comes before the schedule.
void read_warmup(const ConfigNode& n, Schedule& schedule) {
  const MapReader reader(n, "training.warmup", {"steps", "fraction", "start_factor"});
  const ConfigNode* steps = reader.optional("steps");
  const ConfigNode* fraction = reader.optional("fraction");
  if ((steps != nullptr) == (fraction != nullptr))
    fail(n, "training.warmup",
         "give exactly one of 'steps' (a number of steps) or 'fraction' (a share of the run)");
  if (schedule.kind == Schedule::Kind::OneCycle)
    fail(n, "training.warmup",
         "one_cycle rises from its first lr on its own (pct_start); remove the warmup, or use "
         "another schedule after it");
  if (steps)
    schedule.warmup_steps =
        static_cast<std::size_t>(read_int(*steps, "training.warmup.steps", 1, kMaxSteps));
  if (fraction)
    schedule.warmup_fraction = read_real(*fraction, "training.warmup.fraction", 0.0, 1.0, true);
  if (const ConfigNode* v = reader.optional("start_factor"))
    schedule.warmup_start_factor = read_real(*v, "training.warmup.start_factor", 0.0, 1.0, true);
}

ExperimentSpec read_experiment(const ConfigNode& root, const Registry& registry,
                               const std::string& default_name, const std::string& config_dir) {
  ExperimentSpec spec;
  const MapReader top(
      root, "", {"name", "seed", "data", "model", "loss", "training", "optimizer", "regularizers"});
  spec.name = default_name;
  if (!top.optional("name") && first_invalid_utf8(default_name) != std::string::npos)
    throw Error(root.where + ": the experiment is named after its file, '" +
                printable_text(default_name) +
                "', which is not UTF-8 text; give the config a name: or rename the file");
  if (const ConfigNode* n = top.optional("name")) {
    const std::string problem =
        n->type == Type::Scalar ? path_component_problem(n->scalar) : "it is not a single name";
    if (!problem.empty())
      fail(*n, "name", "expected a short name that can name the run directory, but " + problem);
    spec.name = n->scalar;
  } else if (const std::string problem = path_component_problem(spec.name); !problem.empty()) {
    throw Error("name", "the config file's name '" + spec.name +
                            "' cannot name the run directory (" + problem +
                            "); give the config a name: key");
  }
  if (const ConfigNode* n = top.optional("seed")) spec.seed = read_seed(*n);

  spec.loss = static_cast<LossKind>(
      index_of(loss_names(), read_name(top.required("loss"), "loss", loss_names())));

  // data
  {
    const ConfigNode& node = top.required("data");
    const std::vector<std::string>& sources = data_source_names();
    if (node.type != Type::Map)
      fail(node, "data", "expected a map with a 'source' key (" + join(sources) + ")");
    const ConfigNode* source = node.find("source");
    if (!source) fail(node, "data", "missing required key 'source' (" + join(sources) + ")");
    const std::string name = read_name(*source, "data.source", sources);
    spec.data.source = static_cast<DataSpec::Source>(index_of(sources, name));
    // The keys each source takes, beside source, split and standardize.
    static const std::map<std::string, std::vector<std::string>> keys = {
        {"inline", {"x", "y"}},
        {"csv", {"path", "target"}},
        {"seed4", {}},
        {"xor", {"samples", "noise"}},
        {"moons", {"samples", "noise"}},
        {"circles", {"samples", "noise", "factor"}},
        {"spirals", {"classes", "points_per_class", "noise"}},
        {"blobs", {"samples", "centers", "features", "cluster_std", "center_box"}},
    };
    std::vector<std::string> allowed = {"source", "split", "standardize"};
    allowed.insert(allowed.end(), keys.at(name).begin(), keys.at(name).end());
    const MapReader data(node, "data", allowed);
    DataSpec& d = spec.data;
    auto count = [&](const char* key, std::size_t& out, long long lo, long long hi) {
      if (const ConfigNode* n = data.optional(key))
        out = static_cast<std::size_t>(read_int(*n, std::string("data.") + key, lo, hi));
    };
    auto real = [&](const char* key, double& out, double lo, double hi, bool lo_open = false) {
      if (const ConfigNode* n = data.optional(key))
        out = read_real(*n, std::string("data.") + key, lo, hi, lo_open);
    };
    if (name == "inline") d.inline_data = read_inline_data(data, spec.loss);
    if (name == "csv") {
      const ConfigNode& path = data.required("path");
      if (path.type != Type::Scalar || path.scalar.empty())
        fail(path, "data.path", "expected the path of a CSV file, got " + shown(path));
      std::filesystem::path file(path.scalar);
      // Relative paths are relative to the config file, so a config runs from any directory.
      if (file.is_relative() && path.where.rfind("--set", 0) != 0)
        file = std::filesystem::path(config_dir) / file;
      d.path = std::filesystem::absolute(file).lexically_normal().string();
      if (const ConfigNode* n = data.optional("target")) {
        if (n->type != Type::Scalar)
          fail(*n, "data.target", "expected a column name, got " + shown(*n));
        d.target = n->scalar;
      }
    }
    count("samples", d.samples, name == "xor" ? 1 : 2, kMaxSamples);
    real("noise", d.noise, 0.0, 10.0);
    real("factor", d.factor, 0.0, 1.0, true);
    if (d.factor >= 1.0)
      fail(*data.optional("factor"), "data.factor", "expected a number in (0, 1)");
    count("classes", d.classes, 2, 1000);
    count("points_per_class", d.points_per_class, 2, kMaxSamples);
    count("centers", d.centers, 1, 1000);
    count("features", d.features, 1, 10000);
    real("cluster_std", d.cluster_std, 0.0, 1e6);
    real("center_box", d.center_box, 0.0, 1e6);
    if (name == "blobs" && d.samples < d.centers)
      fail(node, "data.samples", "blobs needs at least one sample per center");
    read_split_and_scaling(data, d);
    // Generated sets are classification problems, except seed4 (regression).
    if (name != "inline" && name != "csv" && (name == "seed4") == loss_is_classification(spec.loss))
      fail(*source, "data.source",
           name == "seed4" ? std::string("seed4 has regression targets; use loss: mse")
                           : "'" + name +
                                 "' makes class labels; use a classification loss (hinge, bce or "
                                 "softmax_cross_entropy)");
    if ((name == "spirals" || name == "blobs") &&
        (spec.loss == LossKind::Hinge || spec.loss == LossKind::BCE) &&
        (name == "spirals" ? d.classes : d.centers) > 2)
      fail(*source, "data.source",
           std::string("'") + name +
               "' with more than two classes needs loss: softmax_cross_entropy");
  }

  // model
  {
    const MapReader model(top.required("model"), "model",
                          {"layers", "activation", "output_activation", "init"});
    const ConfigNode& layers = model.required("layers");
    if (layers.type != Type::Sequence || layers.items.empty())
      fail(layers, "model.layers",
           "expected a list of layer sizes ending with the output layer, e.g. [16, 16, 1]");
    if (layers.items.size() > static_cast<std::size_t>(kMaxLayers))
      fail(layers, "model.layers", "at most " + std::to_string(kMaxLayers) + " layers");
    for (std::size_t l = 0; l < layers.items.size(); ++l)
      spec.layers.push_back(static_cast<std::size_t>(
          read_int(layers.items[l], "model.layers[" + std::to_string(l) + "]", 1, kMaxLayerSize)));
    const std::size_t hidden = spec.layers.size() - 1;
    const ConfigNode* act = model.optional("activation");
    if (act && act->type == Type::Sequence) {
      if (act->items.size() != hidden)
        fail(*act, "model.activation",
             "a list of activations needs one per hidden layer (" + std::to_string(hidden) +
                 "), got " + std::to_string(act->items.size()));
      for (std::size_t l = 0; l < hidden; ++l)
        spec.activations.push_back(read_plugin(act->items[l],
                                               "model.activation[" + std::to_string(l) + "]",
                                               GP_KIND_ACTIVATION, registry, true));
    } else if (hidden > 0) {
      if (!act)
        fail(model.node(), "model",
             "missing required key 'activation' for the hidden layers (known: " +
                 join(registry.names(GP_KIND_ACTIVATION)) + ")");
      const PluginChoice choice =
          read_plugin(*act, "model.activation", GP_KIND_ACTIVATION, registry, true);
      spec.activations.assign(hidden, choice);
    } else if (act) {
      (void)read_plugin(*act, "model.activation", GP_KIND_ACTIVATION, registry, true);
    }
    spec.output_activation.name = "linear";
    if (const ConfigNode* n = model.optional("output_activation"))
      spec.output_activation =
          read_plugin(*n, "model.output_activation", GP_KIND_ACTIVATION, registry, true);
    if (const ConfigNode* n = model.optional("init")) spec.init = read_init(*n);
  }

  // training
  {
    const MapReader training(top.required("training"), "training",
                             {"steps", "epochs", "batch_size", "shuffle", "schedule", "warmup",
                              "engine", "clip_norm", "early_stopping", "checkpoint_every"});
    if (const ConfigNode* n = training.optional("clip_norm"))
      spec.clip_norm = read_real(*n, "training.clip_norm", 0.0, 1e12);
    if (const ConfigNode* n = training.optional("checkpoint_every"))
      spec.checkpoint_every =
          static_cast<std::size_t>(read_int(*n, "training.checkpoint_every", 0, kMaxSteps));
    if (const ConfigNode* n = training.optional("early_stopping")) {
      const MapReader stopping(*n, "training.early_stopping", {"patience", "min_delta"});
      spec.patience = static_cast<std::size_t>(
          read_int(stopping.required("patience"), "training.early_stopping.patience", 1, 1000000));
      if (const ConfigNode* v = stopping.optional("min_delta"))
        spec.min_delta = read_real(*v, "training.early_stopping.min_delta", 0.0, 1e12);
    }
    if (const ConfigNode* n = training.optional("engine"))
      spec.engine = engine_named(read_name(*n, "training.engine", engine_names()));
    const ConfigNode* steps = training.optional("steps");
    const ConfigNode* epochs = training.optional("epochs");
    if (steps && epochs)
      fail(*epochs, "training.epochs",
           "give either steps or epochs, not both (steps is set at " + steps->where + ")");
    if (!steps && !epochs)
      fail(training.node(), "training", "missing required key 'steps' or 'epochs'");
    if (steps)
      spec.steps = static_cast<std::size_t>(read_int(*steps, "training.steps", 1, kMaxSteps));
    if (epochs)
      spec.epochs = static_cast<std::size_t>(read_int(*epochs, "training.epochs", 1, kMaxSteps));
    if (const ConfigNode* n = training.optional("batch_size"))
      spec.batch_size =
          static_cast<std::size_t>(read_int(*n, "training.batch_size", 0, kMaxSamples));
    if (const ConfigNode* n = training.optional("shuffle"))
      spec.shuffle = parse_bool(*n, "training.shuffle");
    if (const ConfigNode* n = training.optional("schedule")) read_schedule(*n, spec.schedule);
    if (const ConfigNode* n = training.optional("warmup")) read_warmup(*n, spec.schedule);
  }

  if (spec.patience > 0 && spec.data.split.validation <= 0.0)
    fail(*top.required("training").find("early_stopping"), "training.early_stopping",
         "early stopping watches the validation loss; give the data a validation split, e.g. "
         "data.split: {validation: 0.1}");
  spec.optimizer = read_plugin(top.required("optimizer"), "optimizer", GP_KIND_OPTIMIZER, registry);
  if (const ConfigNode* regs = top.optional("regularizers")) {
    if (regs->type != Type::Sequence)
      fail(*regs, "regularizers", "expected a list, e.g. [{name: l2, lambda: 1e-4}]");
    for (std::size_t i = 0; i < regs->items.size(); ++i)
      spec.regularizers.push_back(read_plugin(regs->items[i],
                                              "regularizers[" + std::to_string(i) + "]",
                                              GP_KIND_REGULARIZER, registry));
  }
  return spec;
}

namespace {

ConfigNode scalar(std::string text) {
  return ConfigNode{Type::Scalar, std::move(text), {}, {}, {}, {}};
}
ConfigNode number(double x) { return scalar(format_number(x)); }
ConfigNode map() { return ConfigNode{Type::Map, {}, {}, {}, {}, {}}; }
ConfigNode seq() { return ConfigNode{Type::Sequence, {}, {}, {}, {}, {}}; }
void put(ConfigNode& m, const std::string& key, ConfigNode value) {
  m.add(key, std::move(value), {});
}

ConfigNode plugin_node(const PluginChoice& choice, gp_kind kind, const Registry& registry) {
  ConfigNode node = map();
  put(node, "name", scalar(choice.name));
  if (choice.name == "linear") return node;
  const gp_descriptor& d = *registry.get(kind, choice.name).descriptor;
  for (std::size_t i = 0; i < d.param_count; ++i) {
    const gp_param& p = d.params[i];
    const gp_value& v = choice.values[i];
    if (p.type == GP_PARAM_BOOL) {
      put(node, p.name, scalar(v.v[0] != 0 ? "true" : "false"));
    } else if (p.type == GP_PARAM_CHOICE) {
      put(node, p.name, scalar(choice_word(p, v.v[0])));
    } else if (p.type == GP_PARAM_PAIR) {
      ConfigNode pair = seq();
      pair.items = {number(v.v[0]), number(v.v[1])};
      put(node, p.name, pair);
    } else {
      put(node, p.name, number(v.v[0]));
    }
  }
  return node;
}

// training.schedule as config.yaml writes it: the name and every key of that schedule.
ConfigNode schedule_node(const Schedule& schedule) {
  ConfigNode node = map();
  put(node, "name", scalar(Schedule::name(schedule.kind)));
  for (const std::string& key : schedule_keys(schedule.kind)) {
    if (key == "final_factor") put(node, key, number(schedule.final_factor));
    if (key == "step_size") put(node, key, scalar(std::to_string(schedule.step_size)));
    if (key == "gamma") put(node, key, number(schedule.gamma));
    if (key == "first_period") put(node, key, scalar(std::to_string(schedule.first_period)));
    if (key == "period_multiplier")
      put(node, key, scalar(std::to_string(schedule.period_multiplier)));
    if (key == "pct_start") put(node, key, number(schedule.pct_start));
    if (key == "div_factor") put(node, key, number(schedule.div_factor));
    if (key == "final_div_factor") put(node, key, number(schedule.final_div_factor));
    if (key == "milestones") {
      ConfigNode steps = seq();
      for (std::size_t m : schedule.milestones) steps.items.push_back(scalar(std::to_string(m)));
      put(node, key, steps);
    }
  }
  return node;
}

}  // namespace

ConfigNode resolved_config(const ExperimentSpec& spec, const Registry& registry) {
  ConfigNode root = map();
  put(root, "name", scalar(spec.name));
  put(root, "seed", scalar(std::to_string(spec.seed)));
  ConfigNode data = map();
  const DataSpec& d = spec.data;
  const std::string source = data_source_names()[static_cast<std::size_t>(d.source)];
  put(data, "source", scalar(source));
  auto count = [&](const char* key, std::size_t v) { put(data, key, scalar(std::to_string(v))); };
  switch (d.source) {
    case DataSpec::Source::Inline: {
      const Dataset& in = d.inline_data;
      ConfigNode xs = seq(), ys = seq();
      for (std::size_t r = 0; r < in.rows; ++r) {
        ConfigNode row = seq();
        for (std::size_t k = 0; k < in.features; ++k) row.items.push_back(number(in.row(r)[k]));
        xs.items.push_back(row);
        if (in.target_columns == 1) {
          ys.items.push_back(number(in.target(r)[0]));
        } else {
          ConfigNode t = seq();
          for (std::size_t k = 0; k < in.target_columns; ++k)
            t.items.push_back(number(in.target(r)[k]));
          ys.items.push_back(t);
        }
      }
      put(data, "x", xs);
      put(data, "y", ys);
      break;
    }
    case DataSpec::Source::Csv:
      put(data, "path", scalar(d.path));
      if (!d.target.empty()) put(data, "target", scalar(d.target));
      break;
    case DataSpec::Source::Seed4:
      break;
    case DataSpec::Source::Xor:
    case DataSpec::Source::Moons:
      count("samples", d.samples);
      put(data, "noise", number(d.noise));
      break;
    case DataSpec::Source::Circles:
      count("samples", d.samples);
      put(data, "noise", number(d.noise));
      put(data, "factor", number(d.factor));
      break;
    case DataSpec::Source::Spirals:
      count("classes", d.classes);
      count("points_per_class", d.points_per_class);
      put(data, "noise", number(d.noise));
      break;
    case DataSpec::Source::Blobs:
      count("samples", d.samples);
      count("centers", d.centers);
      count("features", d.features);
      put(data, "cluster_std", number(d.cluster_std));
      put(data, "center_box", number(d.center_box));
      break;
  }
  ConfigNode split = map();
  put(split, "validation", number(spec.data.split.validation));
  put(split, "test", number(spec.data.split.test));
  put(data, "split", split);
  put(data, "standardize", scalar(spec.data.standardize ? "true" : "false"));
  put(root, "data", data);
  ConfigNode model = map();
  ConfigNode layers = seq();
  for (std::size_t s : spec.layers) layers.items.push_back(scalar(std::to_string(s)));
  put(model, "layers", layers);
  ConfigNode acts = seq();
  for (const auto& a : spec.activations)
    acts.items.push_back(plugin_node(a, GP_KIND_ACTIVATION, registry));
  put(model, "activation", acts);
  put(model, "output_activation",
      plugin_node(spec.output_activation, GP_KIND_ACTIVATION, registry));
  put(model, "init", scalar(init_name(spec.init)));
  put(root, "model", model);
  put(root, "loss", scalar(loss_name(spec.loss)));
  ConfigNode training = map();
  if (spec.steps)
    put(training, "steps", scalar(std::to_string(spec.steps)));
  else
    put(training, "epochs", scalar(std::to_string(spec.epochs)));
  put(training, "batch_size", scalar(std::to_string(spec.batch_size)));
  put(training, "shuffle", scalar(spec.shuffle ? "true" : "false"));
  put(training, "engine", scalar(engine_names()[static_cast<std::size_t>(spec.engine)]));
  put(training, "clip_norm", number(spec.clip_norm));
  if (spec.patience > 0) {
    ConfigNode stopping = map();
    put(stopping, "patience", scalar(std::to_string(spec.patience)));
    put(stopping, "min_delta", number(spec.min_delta));
    put(training, "early_stopping", stopping);
  }
  put(training, "checkpoint_every", scalar(std::to_string(spec.checkpoint_every)));
  put(training, "schedule", schedule_node(spec.schedule));
  if (spec.schedule.warmup_steps || spec.schedule.warmup_fraction > 0.0) {
    ConfigNode warmup = map();
    if (spec.schedule.warmup_steps)
      put(warmup, "steps", scalar(std::to_string(spec.schedule.warmup_steps)));
    else
      put(warmup, "fraction", number(spec.schedule.warmup_fraction));
    put(warmup, "start_factor", number(spec.schedule.warmup_start_factor));
    put(training, "warmup", warmup);
  }
  put(root, "training", training);
  put(root, "optimizer", plugin_node(spec.optimizer, GP_KIND_OPTIMIZER, registry));
  ConfigNode regs = seq();
  for (const auto& r : spec.regularizers)
    regs.items.push_back(plugin_node(r, GP_KIND_REGULARIZER, registry));
  put(root, "regularizers", regs);
  return root;
}

}  // namespace gradplug::host
