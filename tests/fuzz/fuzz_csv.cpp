// libFuzzer target: the CSV data loader, in the ways gradplug reads a CSV file: for training
// (classification and regression, default and named target) and for a trained model (predict and
// evaluate: columns by name, classes the model knows). A table that loads must be consistent.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "gradplug/csv.hpp"

using namespace gradplug;

namespace {

const std::string kOrigin = "fuzz.csv";

void check_dataset(const Dataset& d, const char* how) {
  const std::string at = std::string(how) + ": ";
  fuzz::check(d.rows > 0, at + "no rows");
  fuzz::check(d.x.size() == d.rows * d.features, at + "x has the wrong size");
  fuzz::check(d.feature_names.size() == d.features, at + "one name per feature");
  for (double v : d.x) fuzz::check(std::isfinite(v), at + "a feature is not finite");
  if (d.y.empty()) return;
  fuzz::check(d.y.size() == d.rows * d.target_columns, at + "y has the wrong size");
  for (double v : d.y) {
    fuzz::check(std::isfinite(v), at + "a target is not finite");
    if (d.is_classification())
      fuzz::check(v >= 0 && v < static_cast<double>(d.classes()) && std::floor(v) == v,
                  at + "a class index outside the classes");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  Dataset classes;
  const bool classified = fuzz::expect_only_errors("load_csv_text(classification)", kOrigin, [&] {
    classes = load_csv_text(text, kOrigin, "", true);
    check_dataset(classes, "classification");
    fuzz::check(classes.classes() >= 2, "fewer than two classes");
  });
  fuzz::expect_only_errors("load_csv_text(regression)", kOrigin,
                           [&] { check_dataset(load_csv_text(text, kOrigin, "", false), "regression"); });
  fuzz::expect_only_errors("load_csv_text(target y)", kOrigin,
                           [&] { check_dataset(load_csv_text(text, kOrigin, "y", true), "target y"); });

  // As predict and evaluate read it: a model trained on this very table (columns in another order),
  // a model that knows fewer classes, and a fixed two-feature model.
  if (classified) {
    std::vector<std::string> features(classes.feature_names.rbegin(), classes.feature_names.rend());
    fuzz::expect_only_errors("load_csv_for_model_text(own model)", kOrigin, [&] {
      const Dataset d =
          load_csv_for_model_text(text, kOrigin, features, classes.target_name, classes.class_names, true);
      check_dataset(d, "own model");
      fuzz::check(d.y.size() == d.rows, "own model: every row has its class");
    });
    std::vector<std::string> fewer(classes.class_names.begin(), classes.class_names.end() - 1);
    fuzz::expect_only_errors("load_csv_for_model_text(fewer classes)", kOrigin, [&] {
      check_dataset(load_csv_for_model_text(text, kOrigin, features, classes.target_name, fewer, false),
                    "fewer classes");
    });
  }
  fuzz::expect_only_errors("load_csv_for_model_text(x1, x2 -> y)", kOrigin, [&] {
    check_dataset(load_csv_for_model_text(text, kOrigin, {"x1", "x2"}, "y", {"0", "1"}, false), "x1, x2 -> y");
  });
  fuzz::expect_only_errors("load_csv_for_model_text(regression)", kOrigin, [&] {
    check_dataset(load_csv_for_model_text(text, kOrigin, {"x1"}, "y", {}, true), "regression model");
  });
  return 0;
}
