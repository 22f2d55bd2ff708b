// Numbers given as flags, checked as the user typed them before Program_options converts them:
// its conversion to an unsigned type takes "-1" as 18446744073709551615, and to a double takes
// "nan" and "inf". A count (a std::size_t flag) must be plain digits; a real (a double flag) a
// finite number as config values are (number_text.hpp). Errors quote the flag as typed.
#pragma once

#include <boost/program_options.hpp>

namespace gradplug::host {

void check_flag_numbers(const boost::program_options::parsed_options& parsed,
                        const boost::program_options::options_description& options);

}  // namespace gradplug::host
