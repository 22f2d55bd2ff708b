// Whether a loss fits the data it is to train on: the targets it accepts (losses() says which)
// and the output width it needs. Each refusal names the data and a loss or width that would work,
// so a wrong loss is an error before training instead of a nonsense result after it.
#include <cstdlib>
#include <string>

#include "gradplug/error.hpp"
#include "gradplug/loss.hpp"

namespace gradplug {

namespace {

std::string count_text(std::size_t n) {
  static const char* const words[] = {"no", "one", "two", "three", "four", "five"};
  return n < 6 ? words[n] : std::to_string(n);
}

// "3 classes (setosa, versicolor, virginica)", at most six names shown.
std::string classes_text(const Dataset& data) {
  const std::size_t k = data.classes();
  std::string text = std::to_string(k) + (k == 1 ? " class (" : " classes (");
  for (std::size_t c = 0; c < k && c < 6; ++c) text += (c ? ", " : "") + data.class_names[c];
  return text + (k > 6 ? ", ...)" : ")");
}

bool looks_numeric(const std::string& label) {
  char* end = nullptr;
  std::strtod(label.c_str(), &end);
  return !label.empty() && end == label.c_str() + label.size();
}

// For classes named by numbers other than 0, 1, 2, ... (a CSV column of measurements read as
// labels): "; or, if the target 'y' is a number to predict, loss: mse".
std::string regression_hint(const Dataset& data) {
  bool numbers = data.classes() > 2, indices = true;
  for (std::size_t c = 0; c < data.classes(); ++c) {
    numbers = numbers && looks_numeric(data.class_names[c]);
    indices = indices && data.class_names[c] == std::to_string(c);
  }
  if (!numbers || indices) return "";
  return "; or, if the target '" + data.target_name +
         "' is a number to predict, loss: mse with model.layers ending in 1";
}

// The classification losses that take this many classes, with the widths they need.
std::string classifiers_for(std::size_t classes) {
  if (classes == 2)
    return "loss: bce or hinge with model.layers ending in 1, or softmax_cross_entropy with "
           "model.layers ending in 2";
  return "loss: softmax_cross_entropy with model.layers ending in " + std::to_string(classes);
}

void check_targets(LossKind kind, const Dataset& data) {
  const LossInfo& loss = loss_info(kind);
  const std::string named = std::string("loss '") + loss.name + "'";
  const std::string target = "the target '" + data.target_name + "'";
  if (loss.targets == TargetMap::Numeric) {
    if (data.is_classification())
      throw Error("loss", named + " needs numeric targets, but " + target +
                              " holds class labels, " + classes_text(data) + "; use " +
                              classifiers_for(data.classes()));
    return;
  }
  if (!data.is_classification())
    throw Error("loss", named + " needs class labels, but " + target +
                            " holds numbers (regression targets); use loss: mse");
  if (data.target_columns != 1)
    throw Error("loss", named + " needs one class label per row, but " + target + " has " +
                            std::to_string(data.target_columns) + " columns; use loss: mse");
  const std::size_t k = data.classes();
  const bool too_few = k < loss.min_classes;
  const bool too_many = loss.max_classes != 0 && k > loss.max_classes;
  if (!too_few && !too_many) return;
  const std::string needs = loss.min_classes == loss.max_classes
                                ? "exactly " + count_text(loss.min_classes) + " classes"
                                : "at least " + count_text(loss.min_classes) + " classes";
  const std::string fix = k >= 2 ? "use " + classifiers_for(k) + regression_hint(data)
                                 : "a classifier needs two classes or more";
  throw Error("loss", named + " needs " + needs + ", but " + target + " has " + classes_text(data) +
                          "; " + fix);
}

}  // namespace

void check_loss_fits(LossKind kind, std::size_t outputs, const Dataset& data) {
  check_targets(kind, data);
  const std::size_t expected = loss_outputs(kind, data);
  if (outputs == expected) return;
  std::string why;
  switch (loss_info(kind).width) {
    case OutputWidth::TargetColumns:
      why = "one per target column";
      break;
    case OutputWidth::One:
      why = "one output for the two classes";
      break;
    case OutputWidth::Classes:
      why = "one per class; the data have " + classes_text(data) + regression_hint(data);
      break;
  }
  throw Error("model.layers", "the output layer has " + std::to_string(outputs) +
                                  " neurons, but loss '" + loss_name(kind) +
                                  "' on this data needs " + std::to_string(expected) + " (" + why +
                                  "; set the last entry of model.layers to " +
                                  std::to_string(expected) + ")");
}

}  // namespace gradplug
