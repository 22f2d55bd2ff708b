// The pictures of one run: loss.svg (training loss per step, validation loss per epoch) and
// accuracy.svg (batch accuracy per step, validation accuracy per epoch).
#pragma once

#include <string>
#include <vector>

namespace gradplug::host {

struct PlotData {
  std::string title;
  std::vector<double> steps, loss, accuracy;
  std::vector<double> epoch_steps, validation_loss, validation_accuracy;
};

std::string loss_svg(const PlotData& data);
std::string accuracy_svg(const PlotData& data);

}  // namespace gradplug::host
