// The losses, each defined once: the table `losses()` says for every loss its name, how many
// outputs it needs, how it reads a target, which targets it accepts and the link that turns
// outputs into a prediction; training (loss_node, and the batched kernels' hand derivatives of
// the same formulas), validation (check_loss_fits), predict and evaluate all read it.
//  mse:       mean_k (o_k - t_k)^2                 (regression; one output per target column)
//  hinge:     max(0, 1 - s o), s = +1 for class 1, -1 for class 0   (micrograd's max-margin)
//  bce:       log(1 + e^o) - t o, t the class 0/1  (binary cross-entropy on logits, stable)
//  softmax:   logsumexp(o) - o_y                   (softmax cross-entropy, stable: shifted by max)
// A batch's loss is the mean over its samples.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gradplug/dataset.hpp"
#include "gradplug/tape.hpp"

namespace gradplug {

enum class LossKind { MSE, Hinge, BCE, SoftmaxCE };

// How many outputs the last layer needs.
enum class OutputWidth {
  TargetColumns,  // one per target column
  One,            // a single score or logit
  Classes,        // one per class
};

// What a target row holds and how the loss reads it.
enum class TargetMap {
  Numeric,     // numbers, used as they are
  ClassIndex,  // a class index 0..classes-1 (bce reads class 1 as t = 1, class 0 as t = 0)
  PlusMinus,   // class 1 is +1, class 0 is -1
};

// How outputs become a prediction.
enum class Link {
  Identity,  // the outputs are the predicted values
  Sign,      // class 1 when the score is positive; no probabilities
  Sigmoid,   // P(class 1) = sigmoid(o)
  Softmax,   // P(class k) = softmax(o)_k; the class is the largest output
};

struct LossInfo {
  LossKind kind;
  const char* name;  // as written in a config and in model.json
  OutputWidth width;
  TargetMap targets;
  std::size_t min_classes;  // 0: numeric targets, no classes
  std::size_t max_classes;  // 0: no upper limit
  Link link;
};

// Every loss, in LossKind order.
const std::array<LossInfo, 4>& losses();
const LossInfo& loss_info(LossKind kind);

const std::vector<std::string>& loss_names();  // "mse", "hinge", "bce", "softmax_cross_entropy"
const char* loss_name(LossKind kind);
bool loss_is_classification(LossKind kind);

// The number of outputs `kind` needs on `data` (its OutputWidth rule).
std::size_t loss_outputs(LossKind kind, const Dataset& data);

// Throws Error("loss", ...) when `data`'s targets are not ones `kind` accepts (too many or too
// few classes, class labels for a regression loss, numbers for a classification loss), and
// Error("model.layers", ...) when `outputs` is not the width the loss needs on these data. Each
// message names the data and what would work.
void check_loss_fits(LossKind kind, std::size_t outputs, const Dataset& data);

// The loss node for one sample with outputs o[0..n) and its target row.
std::uint32_t loss_node(Tape& tape, LossKind kind, const std::uint32_t* outputs, std::size_t n,
                        const double* target);

// The class predicted from outputs o[0..n) (classification losses only).
std::size_t predicted_class(LossKind kind, const double* outputs, std::size_t n);

// The probability of each class from outputs o[0..n) by the loss's link (two for Sigmoid, n for
// Softmax); empty for links without probabilities (Identity, Sign).
std::vector<double> class_probabilities(LossKind kind, const double* outputs, std::size_t n);

// Whether outputs o[0..n) classify the target row correctly (classification losses only).
bool is_correct(LossKind kind, const double* outputs, std::size_t n, const double* target);

}  // namespace gradplug
