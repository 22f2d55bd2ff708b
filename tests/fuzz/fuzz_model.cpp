// libFuzzer target: the model.json loader (`--init`, `--resume`, predict, evaluate). Each input is
// read twice: as it is, and - when it is a JSON object - with its checksum recomputed, so that the
// fuzzer's mutations get past the checksum to the reader behind it. A model that loads must be
// consistent with itself.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "fuzz_support.hpp"
#include "run/model_file.hpp"
#include "gradplug/loss.hpp"
#include "run/checksum.hpp"
#include "run/json_input.hpp"

using namespace gradplug;
using namespace gradplug::host;

namespace {

const std::string kOrigin = "fuzz-model.json";

void read_and_check(const std::string& text, const char* how) {
  fuzz::expect_only_errors(how, kOrigin, [&] {
    const LoadedModel m = read_model_text(text, kOrigin, fuzz::registry());
    fuzz::check(m.model != nullptr, "no model");
    const MLP& model = *m.model;
    fuzz::check(model.inputs() > 0 && !model.layers().empty(), "an empty model");
    fuzz::check(m.feature_names.size() == model.inputs(), "one name per input");
    if (loss_is_classification(m.loss))
      fuzz::check(m.class_names.size() == (model.outputs() == 1 ? 2 : model.outputs()),
                  "one class name per output (two for a one-output classifier)");
    fuzz::check(m.standardizer.mean.size() == model.inputs() && m.standardizer.scale.size() == model.inputs(),
                "one mean and scale per input");
    for (double p : model.parameters()) fuzz::check(std::isfinite(p), "a weight is not finite");
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  read_and_check(text, "read_model_text");
  // The harness's own resealing, parsed with the loader's bounded parser (a plain parse and dump
  // would overflow the harness's own stack on deep input); when it cannot (it throws), the raw
  // read above has already tried the same calls inside the loader.
  std::string resealed;
  try {
    nlohmann::json doc = parse_json_document(text, kOrigin, "model file");
    if (!doc.is_object()) return 0;
    resealed = with_checksum(std::move(doc)).dump();
  } catch (const std::exception&) {
    return 0;
  }
  read_and_check(resealed, "read_model_text(checksum resealed)");
  return 0;
}
