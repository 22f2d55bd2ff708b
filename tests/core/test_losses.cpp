// The loss table and what reads it: names and rules in one place, the target and width checks
// a C++ program gets from build_experiment (without the host's config checks), and the links
// predict and evaluate turn outputs into predictions with.
#include <gtest/gtest.h>

#include <cmath>

#include "gradplug/error.hpp"
#include "gradplug/experiment.hpp"
#include "gradplug/loss.hpp"

namespace gradplug {
namespace {

Dataset labelled(std::vector<std::string> classes, std::vector<double> y) {
  Dataset d;
  d.rows = y.size();
  d.features = 1;
  d.x.assign(d.rows, 0.5);
  d.y = std::move(y);
  d.class_names = std::move(classes);
  d.target_name = "kind";
  return d;
}

Dataset numeric(std::size_t columns) {
  Dataset d;
  d.rows = 2;
  d.features = 1;
  d.x = {0.0, 1.0};
  d.target_columns = columns;
  d.y.assign(2 * columns, 1.5);
  d.target_name = "price";
  return d;
}

// The Error check_loss_fits throws, as key path and detail.
std::pair<std::string, std::string> refusal(LossKind loss, std::size_t outputs, const Dataset& d) {
  try {
    check_loss_fits(loss, outputs, d);
  } catch (const Error& e) {
    return {e.key_path(), e.detail()};
  }
  return {"", ""};
}

TEST(LossTable, NamesKindsAndRulesAgree) {
  ASSERT_EQ(losses().size(), loss_names().size());
  for (std::size_t i = 0; i < losses().size(); ++i) {
    const LossInfo& l = losses()[i];
    EXPECT_EQ(static_cast<std::size_t>(l.kind), i);
    EXPECT_EQ(loss_names()[i], l.name);
    EXPECT_EQ(&loss_info(l.kind), &l);
    EXPECT_EQ(loss_is_classification(l.kind), l.min_classes > 0) << l.name;
  }
  EXPECT_EQ(loss_info(LossKind::BCE).link, Link::Sigmoid);
  EXPECT_EQ(loss_info(LossKind::Hinge).link, Link::Sign);
  EXPECT_EQ(loss_info(LossKind::SoftmaxCE).link, Link::Softmax);
  EXPECT_EQ(loss_info(LossKind::MSE).link, Link::Identity);
  const Dataset three = labelled({"a", "b", "c"}, {0, 1, 2});
  EXPECT_EQ(loss_outputs(LossKind::SoftmaxCE, three), 3u);
  EXPECT_EQ(loss_outputs(LossKind::BCE, three), 1u);
  EXPECT_EQ(loss_outputs(LossKind::MSE, numeric(3)), 3u);
}

TEST(LossFits, EveryLossAcceptsTheTargetsItCanRead) {
  const Dataset two = labelled({"no", "yes"}, {0, 1});
  const Dataset three = labelled({"a", "b", "c"}, {0, 1, 2});
  EXPECT_EQ(refusal(LossKind::BCE, 1, two).first, "");
  EXPECT_EQ(refusal(LossKind::Hinge, 1, two).first, "");
  EXPECT_EQ(refusal(LossKind::SoftmaxCE, 2, two).first, "");
  EXPECT_EQ(refusal(LossKind::SoftmaxCE, 3, three).first, "");
  EXPECT_EQ(refusal(LossKind::MSE, 1, numeric(1)).first, "");
  EXPECT_EQ(refusal(LossKind::MSE, 2, numeric(2)).first, "");
}

TEST(LossFits, RefusalsNameTheLossTheDataAndWhatWouldWork) {
  const Dataset three = labelled({"a", "b", "c"}, {0, 1, 2});
  for (LossKind loss : {LossKind::BCE, LossKind::Hinge}) {
    const auto [key, detail] = refusal(loss, 1, three);
    EXPECT_EQ(key, "loss");
    EXPECT_EQ(detail, std::string("loss '") + loss_name(loss) +
                          "' needs exactly two classes, but the target 'kind' has 3 classes (a, "
                          "b, c); use loss: softmax_cross_entropy with model.layers ending in 3");
    // The target check comes first, so a width of 3 does not hear "set it to 1".
    EXPECT_EQ(refusal(loss, 3, three).first, "loss");
  }
  EXPECT_EQ(refusal(LossKind::SoftmaxCE, 1, labelled({"a"}, {0, 0})).second,
            "loss 'softmax_cross_entropy' needs at least two classes, but the target 'kind' has "
            "1 class (a); a classifier needs two classes or more");
  EXPECT_EQ(refusal(LossKind::MSE, 1, labelled({"no", "yes"}, {0, 1})).second,
            "loss 'mse' needs numeric targets, but the target 'kind' holds class labels, 2 classes "
            "(no, yes); use loss: bce or hinge with model.layers ending in 1, or "
            "softmax_cross_entropy with model.layers ending in 2");
  EXPECT_EQ(refusal(LossKind::Hinge, 1, numeric(1)).second,
            "loss 'hinge' needs class labels, but the target 'price' holds numbers (regression "
            "targets); use loss: mse");
  const auto [key, detail] = refusal(LossKind::SoftmaxCE, 2, three);
  EXPECT_EQ(key, "model.layers");
  EXPECT_EQ(detail,
            "the output layer has 2 neurons, but loss 'softmax_cross_entropy' on this data needs "
            "3 (one per class; the data have 3 classes (a, b, c); set the last entry of "
            "model.layers to 3)");
  // Numbers read as classes get the hint that they may be a regression target.
  const Dataset measured = labelled({"1.5", "2", "7.25"}, {0, 1, 2});
  EXPECT_NE(refusal(LossKind::BCE, 1, measured).second.find("is a number to predict, loss: mse"),
            std::string::npos);
  EXPECT_EQ(refusal(LossKind::BCE, 1, labelled({"0", "1", "2"}, {0, 1, 2}))
                .second.find("number to predict"),
            std::string::npos);
}

// A C++ program using gradplug::core gets the same refusal from build_experiment, before any
// plugin is made (so an empty registry is enough), for data the host would have caught earlier.
TEST(LossFits, BuildExperimentRefusesBeforeTraining) {
  ExperimentSpec spec;
  spec.data.source = DataSpec::Source::Spirals;
  spec.data.classes = 3;
  spec.data.points_per_class = 5;
  spec.layers = {4, 1};
  spec.loss = LossKind::BCE;
  spec.steps = 1;
  const Registry none;
  try {
    build_experiment(spec, none);
    FAIL() << "bce on three spirals was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.key_path(), "loss");
    EXPECT_NE(e.detail().find("3 classes (0, 1, 2)"), std::string::npos) << e.what();
  }
  spec.loss = LossKind::MSE;
  spec.data.source = DataSpec::Source::Moons;
  try {
    build_experiment(spec, none);
    FAIL() << "mse on moons was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.key_path(), "loss");
    EXPECT_NE(e.detail().find("needs numeric targets"), std::string::npos) << e.what();
  }
}

TEST(LossLinks, PredictionsFollowTheLink) {
  const double logit[] = {0.3};
  const auto p = class_probabilities(LossKind::BCE, logit, 1);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_DOUBLE_EQ(p[1], 1 / (1 + std::exp(-0.3)));
  EXPECT_DOUBLE_EQ(p[0] + p[1], 1.0);
  const double very_negative[] = {-800};
  EXPECT_EQ(class_probabilities(LossKind::BCE, very_negative, 1)[1], 0.0);
  EXPECT_EQ(predicted_class(LossKind::BCE, logit, 1), 1u);
  EXPECT_EQ(predicted_class(LossKind::Hinge, very_negative, 1), 0u);
  EXPECT_TRUE(class_probabilities(LossKind::Hinge, logit, 1).empty());
  EXPECT_TRUE(class_probabilities(LossKind::MSE, logit, 1).empty());
  const double scores[] = {1.0, 3.0, 2.0};
  const auto q = class_probabilities(LossKind::SoftmaxCE, scores, 3);
  ASSERT_EQ(q.size(), 3u);
  EXPECT_NEAR(q[1], std::exp(3.0) / (std::exp(1.0) + std::exp(3.0) + std::exp(2.0)), 1e-15);
  EXPECT_EQ(predicted_class(LossKind::SoftmaxCE, scores, 3), 1u);
  const double target_one[] = {1.0};
  EXPECT_TRUE(is_correct(LossKind::SoftmaxCE, scores, 3, target_one));
  EXPECT_TRUE(is_correct(LossKind::BCE, logit, 1, target_one));
  EXPECT_FALSE(is_correct(LossKind::Hinge, very_negative, 1, target_one));
}

}  // namespace
}  // namespace gradplug
