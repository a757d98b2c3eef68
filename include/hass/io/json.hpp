// JSON input and output for hass (optional integration: needs nlohmann-json and
// is not part of the umbrella header <hass/hass.hpp>). The formats are
// described in docs/formats.md.
//
//   hass::network net = hass::io::load_network("tiny.json");
//   auto folding = hass::io::read_folding(hass::io::load_json_file("f.json"), net, "f.json");
//   hass::io::owned_board board = hass::io::load_board("myboard.json");
//   auto report = hass::evaluate(net, folding, board.spec());
//   std::cout << hass::io::report_json(net, folding, report, board.spec()).dump(2);
//
// Every error is a hass::error whose message starts with the source (the file
// name) and names the layer (its index in the file and its name) and the field.
//
// Where each part lives (include/hass/io/json/):
//
//   parse.hpp     hass::io::json, parse_json_text, load_json_file: the checked parser
//   fields.hpp    the field readers the formats share (detail: scope, get_integer, ...)
//   folding.hpp   read_folding, load_folding, write_folding, the sparse-folding rule
//   network.hpp   read_network(_file), load_network(_file), write_network
//   board.hpp     owned_board, read_board, load_board, board_json
//   report.hpp    report_json, partitioned_report_json, info_json, resources_json
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "hass/io/json/board.hpp"
#include "hass/io/json/fields.hpp"
#include "hass/io/json/folding.hpp"
#include "hass/io/json/network.hpp"
#include "hass/io/json/parse.hpp"
#include "hass/io/json/report.hpp"
