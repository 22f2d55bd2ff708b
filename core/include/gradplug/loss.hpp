// Losses over one sample's outputs, as Value-graph nodes, plus the matching accuracy rule.
//  mse:       mean_k (o_k - t_k)^2                 (regression; one output per target column)
//  hinge:     max(0, 1 - s o), s = +1 for class 1, -1 for class 0   (micrograd's max-margin)
//  bce:       log(1 + e^o) - t o, t the class 0/1  (binary cross-entropy on logits, stable)
//  softmax:   logsumexp(o) - o_y                   (softmax cross-entropy, stable: shifted by max)
// A batch's loss is the mean over its samples.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gradplug/tape.hpp"

namespace gradplug {

enum class LossKind { MSE, Hinge, BCE, SoftmaxCE };

const std::vector<std::string>& loss_names();  // "mse", "hinge", "bce", "softmax_cross_entropy"
const char* loss_name(LossKind kind);
bool loss_is_classification(LossKind kind);

// The loss node for one sample with outputs o[0..n) and its target row.
std::uint32_t loss_node(Tape& tape, LossKind kind, const std::uint32_t* outputs, std::size_t n,
                        const double* target);

// Whether outputs o[0..n) classify the target row correctly (classification losses only).
bool is_correct(LossKind kind, const double* outputs, std::size_t n, const double* target);

}  // namespace gradplug
