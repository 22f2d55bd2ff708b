// What compare reads from its flags to make variants, read strictly: the values of a --sweep, the
// number of runs the flags multiply up to, and the folder a variant's label becomes. Every error
// names the flag (or the config line) as the user typed it and what would be accepted.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace gradplug::host {

// The parts of a list such as "adam, sgd:lr=0.1", each without surrounding blanks (a name with
// a space is no plugin's name, and "adam, sgd" is what people type).
std::vector<std::string> split(const std::string& text, char separator);

// Values of a --sweep: a,b,c or logspace(lo,hi,n) or linspace(lo,hi,n). `flag` is the flag as
// typed ("--sweep optimizer.lr=..."). At least one value; no empty ones; ends are finite numbers
// (logspace: positive), COUNT a whole number from 2 to 1000.
std::vector<std::string> sweep_values(const std::string& text, const std::string& flag);

// Refuses a comparison of more than limits::kRuns runs before anything is planned: `variants`
// (from --optimizers or compare:) times every sweep's number of values times `seeds`.
void check_run_count(std::size_t variants, const std::vector<std::size_t>& sweep_sizes,
                     std::size_t seeds);

// The folder of a variant's runs under DIR/runs: its label with every character but letters,
// digits, '.' and '-' made '_', cut at 80 bytes. A label holding a NUL, a control character or
// bytes that are not UTF-8 is refused (naming `origin`, where the label was given); so is a
// `named` one (a compare: label, an --optimizers item) that is empty, '.' or '..' or holds '/'.
// A label made of overrides ("data.path=sets/a.csv") may hold '/': its folder has '_'. Either
// way a folder is one plain name inside DIR/runs.
std::string variant_folder(const std::string& label, const std::string& origin, bool named);

}  // namespace gradplug::host
