// ONNX import (hass_onnx/import.hpp): reads a ModelProto with Debian's
// libonnx/protobuf and builds the hass network layer by layer, with the
// weights in hass's canonical order. docs/onnx.md describes the mapping.
//
// The import is one pass over the nodes in file order (ONNX requires a
// topological order; a node reading a later node's output is an error), after
// a pre-pass that resolves Identity/Dropout aliases, drops nodes no graph
// output depends on, counts the readers of every tensor (needed to fold
// BatchNormalization, a bias Add or a Pad into the layer before it) and finds
// x * HardSigmoid(x) pairs (HardSwish before opset 14).
#include "hass_onnx/import.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <hass/core/error.hpp>
#include <hass/io/file.hpp>
#include <hass/layers/validity.hpp>

namespace hass::onnx_import {

namespace {

using onnx::AttributeProto;
using onnx::NodeProto;
using onnx::TensorProto;

/// Largest size of one dimension (the JSON network format's limit).
constexpr count_t max_dimension = count_t{1} << 24;
/// Largest number of elements of one initializer or constant.
constexpr std::int64_t max_elements = std::int64_t{1} << 31;
/// Opsets of the default domain the importer reads.
constexpr std::int64_t min_opset = 7, max_opset = 18;

const std::vector<std::string_view>& supported_list() {
    static const std::vector<std::string_view> ops{
        "Add",       "AveragePool",        "BatchNormalization", "Clip",          "Concat",      "Constant",
        "Conv",      "Dropout",            "Flatten",            "Gemm",          "GlobalAveragePool",
        "GlobalMaxPool", "HardSigmoid",    "HardSwish",          "Identity",      "MatMul",      "MaxPool",
        "Mul",       "Pad",                "Relu",               "Reshape",       "Sigmoid"};
    return ops;
}

/// Operators evaluated when their inputs are constants (Shape: when the shape is static).
const std::vector<std::string_view>& folded_list() {
    static const std::vector<std::string_view> ops{"Cast",    "ConstantOfShape", "Gather",    "Shape",
                                                   "Slice",   "Squeeze",         "Transpose", "Unsqueeze"};
    return ops;
}

std::string supported_text() {
    std::string s;
    for (auto op : supported_list()) s += (s.empty() ? "" : ", ") + std::string(op);
    s += "; on constants only: ";
    for (std::size_t i = 0; i < folded_list().size(); ++i) s += (i ? ", " : "") + std::string(folded_list()[i]);
    return s;
}

/// Why an operator hass does not read is not supported (beyond "not in the list").
std::string rejection_reason(std::string_view op) {
    if (op == "LeakyRelu" || op == "PRelu")
        return "hass has no leaky or parametric ReLU (a slope for negative inputs); its activations are ReLU, "
               "ReLU6, HardSwish, HardSigmoid and Sigmoid";
    if (op == "Softmax" || op == "LogSoftmax")
        return "hass models the network up to the logits; export the model without the final softmax";
    if (op == "Sub" || op == "Div")
        return "hass's element-wise layers add and multiply feature maps; a Sub or Div by a constant (input "
               "normalisation) belongs before the network";
    if (op == "ConvTranspose" || op == "Resize" || op == "Upsample")
        return "hass has no upsampling or transposed-convolution layer";
    if (op == "Transpose" || op == "Squeeze" || op == "Unsqueeze" || op == "Gather" || op == "Slice" ||
        op == "Cast" || op == "ConstantOfShape")
        return "hass evaluates it on constants only (shape and padding computations) and has no tensor "
               "re-arrangement layers for feature maps";
    if (op == "Split") return "hass has no layer that splits a feature map into parts";
    return {};
}

// ============================================================================
// Messages
// ============================================================================

std::string data_type_name(int t) {
    switch (t) {
    case TensorProto::UNDEFINED: return "UNDEFINED";
    case TensorProto::FLOAT: return "FLOAT (float32)";
    case TensorProto::UINT8: return "UINT8";
    case TensorProto::INT8: return "INT8";
    case TensorProto::UINT16: return "UINT16";
    case TensorProto::INT16: return "INT16";
    case TensorProto::INT32: return "INT32";
    case TensorProto::INT64: return "INT64";
    case TensorProto::STRING: return "STRING";
    case TensorProto::BOOL: return "BOOL";
    case TensorProto::FLOAT16: return "FLOAT16";
    case TensorProto::DOUBLE: return "DOUBLE (float64)";
    case TensorProto::UINT32: return "UINT32";
    case TensorProto::UINT64: return "UINT64";
    case TensorProto::COMPLEX64: return "COMPLEX64";
    case TensorProto::COMPLEX128: return "COMPLEX128";
    case TensorProto::BFLOAT16: return "BFLOAT16";
    default: return "unknown type " + std::to_string(t);
    }
}

/// "[1, 3, 224, 224]"; long lists are cut: "[0, 0, 0, 0, 0, 0, 0, 0, ... (1048580 values)]".
std::string dims_text(const std::vector<std::int64_t>& d) {
    std::string s(1, '[');
    for (std::size_t i = 0; i < d.size() && i < 8; ++i) {
        if (i) s += ", ";
        s += std::to_string(d[i]);
    }
    if (d.size() > 8) {
        s += ", ... (";
        s += std::to_string(d.size());
        s += " values)";
    }
    s += ']';
    return s;
}

std::string shape_text(const tensor_shape& t) {
    return std::to_string(t.rows) + "x" + std::to_string(t.cols) + "x" + std::to_string(t.channels);
}

/// Text from the model as it appears in a message: printable ASCII (other bytes
/// as \xNN), at most `limit` characters.
std::string printable(std::string_view s, std::size_t limit) {
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < limit; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            static const char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    if (s.size() > limit) out += "...";
    return out;
}

/// A name as it appears in a message: quoted, printable, at most 60 characters.
/// (Appended piece by piece: "'" + std::string trips a GCC 12 -Wrestrict false positive in Release.)
std::string quote_name(std::string_view s) {
    std::string out(1, '\'');
    out += printable(s, 60);
    out += '\'';
    return out;
}

std::string number_text(double v) {
    std::ostringstream os;
    os.precision(9);
    os << v;
    return os.str();
}

// ============================================================================
// Tensors
// ============================================================================

/// ONNX float16 bits to float (subnormals, infinities and NaN included).
float half_to_float(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exp = (h >> 10) & 0x1fu;
    const std::uint32_t mant = h & 0x3ffu;
    if (exp == 0) {
        const float v = std::ldexp(static_cast<float>(mant), -24);
        return sign ? -v : v;
    }
    std::uint32_t bits = 0;
    if (exp == 31)
        bits = sign | 0x7f800000u | (mant << 13);
    else
        bits = sign | ((exp + 112u) << 23) | (mant << 13);
    float f = 0;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

float bfloat16_to_float(std::uint16_t b) {
    const std::uint32_t bits = static_cast<std::uint32_t>(b) << 16;
    float f = 0;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

std::uint32_t load_le32(const char* p) {
    std::uint32_t u = 0;
    for (int b = 0; b < 4; ++b) u |= static_cast<std::uint32_t>(static_cast<unsigned char>(p[b])) << (8 * b);
    return u;
}

std::uint64_t load_le64(const char* p) {
    std::uint64_t u = 0;
    for (int b = 0; b < 8; ++b) u |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[b])) << (8 * b);
    return u;
}

/// Where a tensor is, for messages: "initializer 'conv1.weight'" or "tensor 'x' (output of node ...)".
struct tensor_ref {
    const TensorProto* t = nullptr;
    std::string what; // e.g. "initializer 'conv.weight'"
};

std::vector<std::int64_t> tensor_dims(const tensor_ref& r) {
    std::vector<std::int64_t> d(r.t->dims().begin(), r.t->dims().end());
    for (std::int64_t v : d)
        if (v < 0) throw error(r.what + " has a negative dimension in " + dims_text(d));
    return d;
}

std::int64_t tensor_elements(const tensor_ref& r) {
    std::int64_t n = 1;
    for (std::int64_t v : tensor_dims(r)) {
        if (v != 0 && n > max_elements / v)
            throw error(r.what + " has dimensions " + dims_text(tensor_dims(r)) + ": more than 2^31 elements");
        n *= v;
    }
    return n;
}

void check_storage(const tensor_ref& r) {
    if (r.t->data_location() == TensorProto::EXTERNAL || r.t->external_data_size() > 0)
        throw error(r.what + " keeps its data in an external file; hass reads only tensors stored in the model "
                             "(save the model without external data)");
    if (r.t->has_segment()) throw error(r.what + " is a segment of a larger tensor, which hass does not read");
}

/// The values of a weight tensor as float: FLOAT, FLOAT16, BFLOAT16 and INT8 (and UINT8) data.
std::vector<float> float_values(const tensor_ref& r) {
    check_storage(r);
    const std::int64_t n = tensor_elements(r);
    const auto un = static_cast<std::size_t>(n);
    const int type = r.t->data_type();
    const bool raw = r.t->has_raw_data();
    const std::string& bytes = r.t->raw_data();
    auto wrong_count = [&](std::size_t got, std::string_view field) {
        return error(r.what + " has " + std::to_string(got) + " values in " + std::string(field) + " but its dimensions " +
                     dims_text(tensor_dims(r)) + " need " + std::to_string(n));
    };
    std::vector<float> out;
    switch (type) {
    case TensorProto::FLOAT:
        if (raw) {
            if (bytes.size() != 4 * un) throw wrong_count(bytes.size() / 4, "raw_data (4 bytes each)");
            out.resize(un);
            for (std::size_t i = 0; i < un; ++i) {
                const std::uint32_t u = load_le32(bytes.data() + 4 * i);
                std::memcpy(&out[i], &u, sizeof u);
            }
        } else {
            if (static_cast<std::size_t>(r.t->float_data_size()) != un)
                throw wrong_count(static_cast<std::size_t>(r.t->float_data_size()), "float_data");
            out.assign(r.t->float_data().begin(), r.t->float_data().end());
        }
        return out;
    case TensorProto::FLOAT16:
    case TensorProto::BFLOAT16: {
        auto convert = [type](std::uint16_t h) {
            return type == TensorProto::FLOAT16 ? half_to_float(h) : bfloat16_to_float(h);
        };
        if (raw) {
            if (bytes.size() != 2 * un) throw wrong_count(bytes.size() / 2, "raw_data (2 bytes each)");
            out.resize(un);
            for (std::size_t i = 0; i < un; ++i)
                out[i] = convert(static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[2 * i]) |
                                                            (static_cast<unsigned char>(bytes[2 * i + 1]) << 8)));
        } else {
            if (static_cast<std::size_t>(r.t->int32_data_size()) != un)
                throw wrong_count(static_cast<std::size_t>(r.t->int32_data_size()), "int32_data");
            out.reserve(un);
            for (std::int32_t v : r.t->int32_data()) out.push_back(convert(static_cast<std::uint16_t>(v & 0xffff)));
        }
        return out;
    }
    case TensorProto::INT8:
    case TensorProto::UINT8:
        if (raw) {
            if (bytes.size() != un) throw wrong_count(bytes.size(), "raw_data (1 byte each)");
            out.resize(un);
            for (std::size_t i = 0; i < un; ++i)
                out[i] = type == TensorProto::INT8 ? static_cast<float>(static_cast<signed char>(bytes[i]))
                                                   : static_cast<float>(static_cast<unsigned char>(bytes[i]));
        } else {
            if (static_cast<std::size_t>(r.t->int32_data_size()) != un)
                throw wrong_count(static_cast<std::size_t>(r.t->int32_data_size()), "int32_data");
            out.reserve(un);
            for (std::int32_t v : r.t->int32_data())
                out.push_back(type == TensorProto::INT8 ? static_cast<float>(static_cast<std::int8_t>(v & 0xff))
                                                        : static_cast<float>(v & 0xff));
        }
        return out;
    default:
        throw error(r.what + " has data type " + data_type_name(type) +
                    "; hass reads weights stored as FLOAT (float32), FLOAT16, BFLOAT16 or INT8 (convert the "
                    "model's weights to float32)");
    }
}

/// The values of an integer tensor (shapes, pads): INT64 or INT32.
std::vector<std::int64_t> int_values(const tensor_ref& r) {
    check_storage(r);
    const std::int64_t n = tensor_elements(r);
    const auto un = static_cast<std::size_t>(n);
    const bool raw = r.t->has_raw_data();
    const std::string& bytes = r.t->raw_data();
    std::vector<std::int64_t> out;
    auto wrong_count = [&](std::size_t got) {
        return error(r.what + " has " + std::to_string(got) + " values but its dimensions " +
                     dims_text(tensor_dims(r)) + " need " + std::to_string(n));
    };
    switch (r.t->data_type()) {
    case TensorProto::INT64:
        if (raw) {
            if (bytes.size() != 8 * un) throw wrong_count(bytes.size() / 8);
            for (std::size_t i = 0; i < un; ++i)
                out.push_back(static_cast<std::int64_t>(load_le64(bytes.data() + 8 * i)));
        } else {
            if (static_cast<std::size_t>(r.t->int64_data_size()) != un)
                throw wrong_count(static_cast<std::size_t>(r.t->int64_data_size()));
            out.assign(r.t->int64_data().begin(), r.t->int64_data().end());
        }
        return out;
    case TensorProto::INT32:
        if (raw) {
            if (bytes.size() != 4 * un) throw wrong_count(bytes.size() / 4);
            for (std::size_t i = 0; i < un; ++i)
                out.push_back(static_cast<std::int32_t>(load_le32(bytes.data() + 4 * i)));
        } else {
            if (static_cast<std::size_t>(r.t->int32_data_size()) != un)
                throw wrong_count(static_cast<std::size_t>(r.t->int32_data_size()));
            out.assign(r.t->int32_data().begin(), r.t->int32_data().end());
        }
        return out;
    default:
        throw error(r.what + " has data type " + data_type_name(r.t->data_type()) + "; expected INT64");
    }
}

// ============================================================================
// Constant folding: shape and padding computations on small constant tensors
// ============================================================================

/// Largest constant the importer computes by folding.
constexpr std::int64_t max_folded = std::int64_t{1} << 16;

/// A constant tensor being folded: integer or floating values, row-major.
struct ctensor {
    std::vector<std::int64_t> dims;
    bool floating = false;
    std::vector<std::int64_t> i;
    std::vector<double> f;
    std::size_t size() const { return floating ? f.size() : i.size(); }
};

/// Elements of `dims`, or -1 when a dimension is negative or the product of the
/// non-zero dimensions is above max_folded (a tensor with a 0 dimension is
/// empty, but the folds loop over its axes in any order: every partial product
/// must stay small).
std::int64_t fold_count(const std::vector<std::int64_t>& dims) {
    std::int64_t nonzero = 1;
    bool empty = false;
    for (std::int64_t d : dims) {
        if (d < 0) return -1;
        if (d == 0) {
            empty = true;
            continue;
        }
        if (nonzero > max_folded / d) return -1;
        nonzero *= d;
    }
    return empty ? 0 : nonzero;
}

ctensor read_ctensor(const tensor_ref& r) {
    if (fold_count(tensor_dims(r)) < 0 || r.t->dims_size() > 16)
        throw error(r.what + " has dimensions " + dims_text(tensor_dims(r)) +
                    ": more than 65,536 elements or rank 16, too large to evaluate a shape computation on");
    ctensor c;
    c.dims = tensor_dims(r);
    const int t = r.t->data_type();
    if (t == TensorProto::INT64 || t == TensorProto::INT32) {
        c.i = int_values(r);
    } else {
        c.floating = true;
        const std::vector<float> v = float_values(r);
        c.f.assign(v.begin(), v.end());
    }
    return c;
}

TensorProto to_proto(const ctensor& c) {
    TensorProto t;
    for (std::int64_t d : c.dims) t.add_dims(d);
    if (c.floating) {
        t.set_data_type(TensorProto::FLOAT);
        for (double v : c.f) t.add_float_data(static_cast<float>(v));
    } else {
        t.set_data_type(TensorProto::INT64);
        for (std::int64_t v : c.i) t.add_int64_data(v);
    }
    return t;
}


std::vector<std::int64_t> strides_of(const std::vector<std::int64_t>& dims) {
    std::vector<std::int64_t> s(dims.size(), 1);
    for (std::size_t a = dims.size(); a-- > 1;) s[a - 1] = s[a] * dims[a];
    return s;
}

/// The elements of `c` at the flat indices `idx`, shaped `dims`.
ctensor gather_flat(const ctensor& c, const std::vector<std::int64_t>& idx, std::vector<std::int64_t> dims) {
    ctensor out;
    out.dims = std::move(dims);
    out.floating = c.floating;
    for (std::int64_t k : idx) {
        if (c.floating)
            out.f.push_back(c.f[static_cast<std::size_t>(k)]);
        else
            out.i.push_back(c.i[static_cast<std::size_t>(k)]);
    }
    return out;
}

/// Cartesian selection: along axis a, the source indices sel[a] (output dims: their sizes).
std::vector<std::int64_t> select_indices(const std::vector<std::int64_t>& dims,
                                         const std::vector<std::vector<std::int64_t>>& sel) {
    const auto stride = strides_of(dims);
    std::vector<std::int64_t> out{0};
    for (std::size_t a = 0; a < sel.size(); ++a) {
        std::vector<std::int64_t> next;
        next.reserve(out.size() * sel[a].size());
        for (std::int64_t base : out)
            for (std::int64_t k : sel[a]) next.push_back(base + k * stride[a]);
        out = std::move(next);
    }
    return out;
}

/// ONNX Reshape's target dims: 0 copies the input dimension (unless allowzero), -1 is inferred.
/// Returns an empty optional and sets `why` when the shape does not fit.
std::optional<std::vector<std::int64_t>> reshape_dims(const std::vector<std::int64_t>& in,
                                                      const std::vector<std::int64_t>& shape, bool allowzero,
                                                      std::string& why) {
    std::int64_t total = 1;
    for (std::int64_t d : in) total *= d; // the input's own count, known to be small enough
    std::vector<std::int64_t> out;
    int infer = -1;
    std::int64_t known = 1;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        std::int64_t d = shape[i];
        if (d == 0 && !allowzero) {
            if (i >= in.size()) {
                why = "shape " + dims_text(shape) + " copies dimension " + std::to_string(i) + " of " + dims_text(in) +
                      ", which has none";
                return std::nullopt;
            }
            d = in[i];
        }
        if (d == -1) {
            if (infer >= 0) {
                why = "shape " + dims_text(shape) + " has more than one -1";
                return std::nullopt;
            }
            infer = static_cast<int>(i);
            out.push_back(-1);
            continue;
        }
        if (d < 0 || d > max_elements || (d != 0 && known > max_elements / d)) {
            why = "shape " + dims_text(shape) + " has an invalid or too large dimension";
            return std::nullopt;
        }
        out.push_back(d);
        known *= d;
    }
    if (infer >= 0) {
        if (known == 0 || total % known != 0) {
            why = "shape " + dims_text(shape) + " does not fit the " + std::to_string(total) + " elements of " +
                  dims_text(in);
            return std::nullopt;
        }
        out[static_cast<std::size_t>(infer)] = total / known;
    } else if (known != total) {
        why = "shape " + dims_text(shape) + " has " + std::to_string(known) + " elements but the input " +
              dims_text(in) + " has " + std::to_string(total);
        return std::nullopt;
    }
    return out;
}

// ============================================================================
// Values: what a tensor name stands for during the import
// ============================================================================

struct value {
    enum class kind { activation, padded, constant };
    kind k = kind::activation;
    int producer = network_input;      ///< activation, padded: the hass tensor (layer index or network_input)
    tensor_shape shape{};              ///< activation, padded: the hass shape of that tensor
    bool flat = false;                 ///< activation: ONNX holds it as [1, N] (N = shape.size())
    std::array<count_t, 4> pad{};      ///< padded: top, left, bottom, right still to be applied
    int pad_node = -1;                 ///< padded: the Pad node
    const TensorProto* tensor = nullptr; ///< constant
    int node = -1;                     ///< the node that produced the name (-1: graph input or initializer)
};

/// ONNX dims of an activation: [1, C, H, W] or [1, N].
std::vector<std::int64_t> onnx_dims(const value& v) {
    if (v.flat) return {1, v.shape.size()};
    return {1, v.shape.channels, v.shape.rows, v.shape.cols};
}

// ============================================================================
// The importer
// ============================================================================

class importer {
public:
    importer(onnx::ModelProto& model, std::string source, const options& o)
        : model_(model), g_(model.graph()), src_(std::move(source)), opt_(o) {
        std::string name = opt_.name.empty() ? std::string("network") : opt_.name;
        if (name.size() > name_t::capacity) name.resize(name_t::capacity);
        net_.name = name;
    }

    result run();

private:
    onnx::ModelProto& model_;
    const onnx::GraphProto& g_;
    std::string src_;
    options opt_;
    std::int64_t opset_ = 0;
    const onnx::ValueInfoProto* input_info_ = nullptr; ///< the graph input

    network net_;
    std::vector<hls::layer_weights> lw_;   ///< parallel to net_.layers
    std::vector<int> layer_node_;          ///< the node each layer came from
    std::vector<std::string> layer_tensor_; ///< the ONNX tensor each layer's output is
    std::map<std::string, value, std::less<>> values_;
    std::deque<TensorProto> owned_;        ///< tensors of Constant nodes
    std::map<std::string, int, std::less<>> producer_node_; ///< tensor -> node index
    std::map<std::string, std::string, std::less<>> alias_; ///< Identity/Dropout output -> input (resolved)
    std::map<std::string, std::vector<int>, std::less<>> readers_; ///< canonical tensor -> reading nodes (-1: graph output)
    std::vector<bool> live_;
    std::set<int> fused_hardsigmoid_;       ///< HardSigmoid nodes that a Mul turns into HardSwish
    std::map<int, std::string> hardswish_of_; ///< Mul node -> the tensor x of x * HardSigmoid(x)
    std::vector<std::string> names_;       ///< layer name per node
    std::size_t removed_aliases_ = 0;      ///< Identity and Dropout nodes
    std::int64_t folded_elements_ = 0;     ///< elements of all constants computed by fold()
    result res_;

    // --- messages -------------------------------------------------------------
    /// "model.onnx: node '/conv1/Conv' (#3, Conv)" or "model.onnx: node #3 (Conv)".
    std::string node_where(int n) const {
        const NodeProto& node = g_.node(n);
        std::string s = src_ + ": node ";
        if (!node.name().empty()) s += quote_name(node.name()) + " ";
        return s + "(#" + std::to_string(n) + ", " + node_op(n) + ")";
    }
    /// "'/pad/Pad'" or "#3" when the node has no name.
    std::string node_label(int n) const {
        if (!g_.node(n).name().empty()) return quote_name(g_.node(n).name());
        std::string s(1, '#'); // (not "#" + ...: a GCC 12 -Wrestrict false positive in Release)
        s += std::to_string(n);
        return s;
    }
    std::string node_op(int n) const {
        if (g_.node(n).op_type().empty()) return "no op_type";
        const std::string q = quote_name(g_.node(n).op_type());
        return q.substr(1, q.size() - 2);
    }
    [[noreturn]] void fail(int n, const std::string& what) const { throw error(node_where(n) + ": " + what); }
    [[noreturn]] void fail(const std::string& what) const { throw error(src_ + ": " + what); }

    // --- graph structure -----------------------------------------------------
    void read_header();
    void read_initializers();
    void read_graph_input();
    void prepass();
    std::string canonical(const std::string& name) const {
        auto it = alias_.find(name);
        return it == alias_.end() ? name : it->second;
    }
    const std::vector<int>& readers(const std::string& name) const {
        static const std::vector<int> none;
        auto it = readers_.find(canonical(name));
        return it == readers_.end() ? none : it->second;
    }
    /// True when `node` is the only reader of `name` (and `name` is not a graph output).
    bool only_reader(const std::string& name, int node) const {
        const auto& r = readers(name);
        return r.size() == 1 && r.front() == node;
    }
    std::string reader_list(const std::string& name, int except) const;

    // --- inputs and outputs of nodes -------------------------------------------
    const value& input(int n, int k, std::string_view role) const;
    bool has_input(int n, int k) const { return g_.node(n).input_size() > k && !g_.node(n).input(k).empty(); }
    const value& activation(int n, int k, std::string_view role) const;
    const value& spatial(int n, int k, std::string_view role, bool allow_padded) const;
    tensor_ref constant(int n, int k, std::string_view role) const;
    void define(int n, int k, value v);
    void require_unused_outputs(int n, int from) const;
    void check_inputs(int n, int min, int max) const;

    // --- attributes ---------------------------------------------------------------
    const AttributeProto* attribute(int n, std::string_view name) const;
    void check_attributes(int n, std::initializer_list<std::string_view> known) const;
    std::int64_t attr_int(int n, std::string_view name, std::int64_t fallback) const;
    std::optional<std::vector<std::int64_t>> attr_ints(int n, std::string_view name) const;
    float attr_float(int n, std::string_view name, float fallback) const;
    std::optional<float> attr_float_opt(int n, std::string_view name) const;
    std::string attr_string(int n, std::string_view name, std::string fallback) const;

    // --- layers ---------------------------------------------------------------------
    int add_layer(layer l, int n, const std::string& out_tensor, hls::layer_weights w = {});
    value layer_output(int layer_index, int n, bool flat) const;

    // --- operators ------------------------------------------------------------------
    void node(int n);
    void conv(int n);
    void batchnorm(int n);
    void gemm(int n);
    void matmul(int n);
    void unary(int n, layer_type t);
    void activation_layer(int n, layer_type t);
    void clip(int n);
    void hardsigmoid(int n);
    void pool(int n, bool average);
    void global_pool(int n, pool_op p);
    void binary(int n, eltwise_op op);
    void bias_add(int n, int act_k, int const_k);
    void concat(int n);
    void flatten(int n);
    void reshape(int n);
    void pad(int n);
    void constant_node(int n);
    bool fold(int n);
    void define_constant(int n, TensorProto t);
    void alias(int n);

    struct window {
        count_t kernel_rows = 1, kernel_cols = 1, stride_rows = 1, stride_cols = 1;
        count_t top = 0, left = 0, bottom = 0, right = 0;
    };
    window read_window(int n, const value& x, std::optional<std::array<count_t, 2>> kernel, bool pooling);

    // --- finishing ------------------------------------------------------------------
    void check_shapes();
    onnx::ModelProto inference_model() const;
};

std::string importer::reader_list(const std::string& name, int except) const {
    std::string s;
    for (int r : readers(name)) {
        if (r == except) continue;
        std::string one = r < 0 ? "the graph output" : "node " + node_label(r) + " (" + node_op(r) + ")";
        s += (s.empty() ? "" : ", ") + one;
    }
    return s;
}

// ----------------------------------------------------------------------------
// Model, initializers, graph input
// ----------------------------------------------------------------------------

void importer::read_header() {
    if (!model_.has_graph()) fail("the model has no graph");
    bool found = false;
    for (const auto& op : model_.opset_import()) {
        if (op.domain().empty() || op.domain() == "ai.onnx") {
            opset_ = op.version();
            found = true;
        }
    }
    if (!found) {
        if (model_.opset_import_size() > 0)
            fail("the model imports no opset of the default ONNX domain (only custom domains)");
        fail("the model has no opset_import (which ONNX operator set do its nodes follow?)");
    }
    if (opset_ < min_opset || opset_ > max_opset)
        fail("opset " + std::to_string(opset_) + " of the default domain is outside the range hass reads (" +
             std::to_string(min_opset) + " to " + std::to_string(max_opset) + ")");
    res_.opset = opset_;
    res_.nodes = static_cast<std::size_t>(g_.node_size());
    res_.producer = printable(model_.producer_name(), 60);
    if (!model_.producer_version().empty())
        res_.producer += (res_.producer.empty() ? "" : " ") + printable(model_.producer_version(), 40);
}

void importer::read_initializers() {
    for (int i = 0; i < g_.initializer_size(); ++i) {
        const TensorProto& t = g_.initializer(i);
        if (t.name().empty()) fail("initializer #" + std::to_string(i) + " has no name");
        value v;
        v.k = value::kind::constant;
        v.tensor = &t;
        if (!values_.emplace(t.name(), v).second) fail("two initializers are named " + quote_name(t.name()));
    }
    if (g_.sparse_initializer_size() > 0)
        fail("sparse initializer " + quote_name(g_.sparse_initializer(0).values().name()) +
             ": hass reads dense initializers only");
}

void importer::read_graph_input() {
    const onnx::ValueInfoProto* in = nullptr;
    std::string others;
    for (const auto& vi : g_.input()) {
        if (values_.count(vi.name())) continue; // an initializer listed as an input (IR version < 4)
        if (in) {
            others += (others.empty() ? "" : ", ") + quote_name(vi.name());
            continue;
        }
        in = &vi;
    }
    if (!in) fail("the graph has no input that is not an initializer");
    if (!others.empty())
        fail("the graph has more than one input (" + quote_name(in->name()) + ", " + others +
             "); hass models networks with one input image");
    const std::string where = "graph input " + quote_name(in->name());
    if (in->name().empty()) fail("the graph input has no name");
    if (!in->has_type() || !in->type().has_tensor_type())
        fail(where + " is not a tensor");
    const auto& tt = in->type().tensor_type();
    if (!tt.has_shape()) fail(where + " has no shape; hass needs a fixed input shape [1, C, H, W] or [1, N]");
    const auto& shape = tt.shape();
    std::vector<std::int64_t> dims;
    for (int d = 0; d < shape.dim_size(); ++d) {
        const auto& dim = shape.dim(d);
        if (dim.has_dim_value()) {
            dims.push_back(dim.dim_value());
            continue;
        }
        if (d == 0) {
            dims.push_back(1);
            res_.notes.push_back(where + ": the symbolic batch dimension " +
                                 (dim.has_dim_param() ? quote_name(dim.dim_param()) + " " : std::string()) +
                                 "is taken as 1 (hass models one image at a time)");
            continue;
        }
        fail(where + ": dimension " + std::to_string(d) + " is " +
             (dim.has_dim_param() ? "symbolic (" + quote_name(dim.dim_param()) + ")" : std::string("unknown")) +
             "; hass needs a fixed input shape (export with a fixed image size)");
    }
    if (dims.size() != 4 && dims.size() != 2)
        fail(where + " has rank " + std::to_string(dims.size()) + " " + dims_text(dims) +
             "; hass reads inputs of shape [1, C, H, W] (images) or [1, N] (vectors)");
    if (dims[0] != 1)
        fail(where + " has batch size " + std::to_string(dims[0]) + " in " + dims_text(dims) +
             "; hass models one image at a time (export with batch size 1)");
    for (std::size_t d = 1; d < dims.size(); ++d)
        if (dims[d] < 1 || dims[d] > max_dimension)
            fail(where + ": dimension " + std::to_string(d) + " is " + std::to_string(dims[d]) + " in " +
                 dims_text(dims) + " (each must be in 1.." + std::to_string(max_dimension) + ")");
    double elements = 1;
    for (std::size_t d = 1; d < dims.size(); ++d) elements *= static_cast<double>(dims[d]);
    if (elements > 1e15) fail(where + " " + dims_text(dims) + " is too large to model (more than 1e15 elements)");
    value v;
    v.producer = network_input;
    if (dims.size() == 4) {
        v.shape = {dims[2], dims[3], dims[1]};
    } else {
        v.shape = {1, 1, dims[1]};
        v.flat = true;
    }
    net_.input = v.shape;
    values_.emplace(in->name(), v);
    input_info_ = in;
}

// ----------------------------------------------------------------------------
// Pre-pass: producers, aliases, liveness, readers, names, HardSwish pairs
// ----------------------------------------------------------------------------

bool valid_layer_name(std::string_view s) {
    if (s.empty() || s.size() > name_t::capacity || s == "input") return false;
    if (s.size() >= 6 && s.substr(s.size() - 6) == ".split") return false;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '\'') return false;
    }
    return true;
}

void importer::prepass() {
    const int N = g_.node_size();
    // producers (each tensor produced once, in order)
    for (int n = 0; n < N; ++n) {
        const NodeProto& node = g_.node(n);
        if (node.op_type().empty()) fail(n, "the node has no op_type");
        for (int k = 0; k < node.output_size(); ++k) {
            const std::string& out = node.output(k);
            if (out.empty()) continue;
            if (values_.count(out))
                fail(n, "output " + quote_name(out) + " has the name of the graph input or an initializer");
            if (!producer_node_.emplace(out, n).second)
                fail(n, "output " + quote_name(out) + " is also produced by node #" + std::to_string(producer_node_[out]) +
                            " (every tensor must be produced once)");
        }
    }
    // topological order and aliases
    for (int n = 0; n < N; ++n) {
        const NodeProto& node = g_.node(n);
        for (int k = 0; k < node.input_size(); ++k) {
            const std::string& in = node.input(k);
            if (in.empty()) continue;
            auto p = producer_node_.find(in);
            if (p != producer_node_.end() && p->second >= n)
                fail(n, "input " + quote_name(in) + " is produced by " +
                            (p->second == n ? std::string("the node itself") : "a later node (#" + std::to_string(p->second) + ")") +
                            "; the nodes of an ONNX graph must be in topological order");
        }
        const bool is_alias = (node.op_type() == "Identity" || node.op_type() == "Dropout") &&
                              (node.domain().empty() || node.domain() == "ai.onnx");
        if (is_alias && node.input_size() >= 1 && node.output_size() >= 1 && !node.input(0).empty() &&
            !node.output(0).empty())
            alias_[node.output(0)] = canonical(node.input(0));
    }
    // liveness: the nodes some graph output depends on
    live_.assign(static_cast<std::size_t>(N), false);
    std::vector<std::string> work;
    std::set<std::string> graph_outputs;
    for (const auto& o : g_.output()) {
        if (o.name().empty()) fail("a graph output has no name");
        if (!graph_outputs.insert(o.name()).second) fail("graph output " + quote_name(o.name()) + " is listed twice");
        work.push_back(o.name());
    }
    if (work.empty()) fail("the graph has no outputs");
    std::set<std::string> seen;
    while (!work.empty()) {
        const std::string t = std::move(work.back());
        work.pop_back();
        if (!seen.insert(t).second) continue;
        auto p = producer_node_.find(t);
        if (p == producer_node_.end()) continue;
        if (live_[static_cast<std::size_t>(p->second)]) continue;
        live_[static_cast<std::size_t>(p->second)] = true;
        for (const auto& in : g_.node(p->second).input())
            if (!in.empty()) work.push_back(in);
    }
    std::size_t dead = 0;
    for (bool l : live_) dead += l ? 0 : 1;
    if (dead > 0)
        res_.notes.push_back("removed " + std::to_string(dead) + " node" + (dead == 1 ? "" : "s") +
                             " that no graph output depends on");
    // readers of every (canonical) tensor; aliases are not readers
    for (int n = 0; n < N; ++n) {
        if (!live_[static_cast<std::size_t>(n)]) continue;
        const NodeProto& node = g_.node(n);
        if (alias_.count(node.output_size() > 0 ? node.output(0) : std::string()) &&
            (node.op_type() == "Identity" || node.op_type() == "Dropout"))
            continue;
        for (const auto& in : node.input())
            if (!in.empty()) readers_[canonical(in)].push_back(n);
    }
    for (const auto& o : graph_outputs) readers_[canonical(o)].push_back(-1);
    // layer names: the node name when valid and unique, else <op>_<index>
    std::map<std::string, int> count;
    for (int n = 0; n < N; ++n) ++count[g_.node(n).name()];
    std::set<std::string> used;
    names_.assign(static_cast<std::size_t>(N), std::string());
    for (int n = 0; n < N; ++n) {
        const std::string& name = g_.node(n).name();
        if (valid_layer_name(name) && count[name] == 1) {
            names_[static_cast<std::size_t>(n)] = name;
            used.insert(name);
        }
    }
    for (int n = 0; n < N; ++n) {
        if (!names_[static_cast<std::size_t>(n)].empty()) continue;
        std::string op;
        for (char ch : g_.node(n).op_type())
            if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') op += ch;
        if (op.empty()) op = "node";
        if (op.size() > 40) op.resize(40);
        std::string base = op + "_" + std::to_string(n);
        std::string name = base;
        for (int k = 1; used.count(name); ++k) name = base + "_" + std::to_string(k);
        names_[static_cast<std::size_t>(n)] = name;
        used.insert(name);
    }
    // x * HardSigmoid(x) (HardSwish before opset 14): fused when the HardSigmoid is PyTorch's
    for (int n = 0; n < N; ++n) {
        const NodeProto& node = g_.node(n);
        if (!live_[static_cast<std::size_t>(n)] || node.op_type() != "Mul" || node.input_size() != 2) continue;
        for (int k = 0; k < 2; ++k) {
            const std::string h = canonical(node.input(k));
            const std::string x = canonical(node.input(1 - k));
            auto p = producer_node_.find(h);
            if (p == producer_node_.end()) continue;
            const NodeProto& hs = g_.node(p->second);
            if (hs.op_type() != "HardSigmoid" || hs.input_size() != 1 || canonical(hs.input(0)) != x) continue;
            if (!only_reader(h, n) || fused_hardsigmoid_.count(p->second)) continue;
            float alpha = 0.2f, beta = 0.5f;
            bool other = false;
            for (const auto& a : hs.attribute()) {
                if (a.name() == "alpha" && a.type() == AttributeProto::FLOAT) alpha = a.f();
                else if (a.name() == "beta" && a.type() == AttributeProto::FLOAT) beta = a.f();
                else other = true;
            }
            if (other || std::abs(alpha - 1.0f / 6.0f) > 1e-6f || std::abs(beta - 0.5f) > 1e-6f) continue;
            fused_hardsigmoid_.insert(p->second);
            hardswish_of_[n] = x;
            break;
        }
    }
}

// ----------------------------------------------------------------------------
// Node inputs, outputs and attributes
// ----------------------------------------------------------------------------

void importer::check_inputs(int n, int min, int max) const {
    const int k = g_.node(n).input_size();
    if (k < min || k > max)
        fail(n, "has " + std::to_string(k) + " inputs, expected " +
                    (min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max)));
    if (g_.node(n).output_size() < 1 || g_.node(n).output(0).empty()) fail(n, "has no output");
}

const value& importer::input(int n, int k, std::string_view role) const {
    const NodeProto& node = g_.node(n);
    if (node.input_size() <= k || node.input(k).empty())
        fail(n, "input " + std::to_string(k) + " (" + std::string(role) + ") is missing");
    const std::string& name = node.input(k);
    auto it = values_.find(name);
    if (it == values_.end()) {
        auto p = producer_node_.find(name);
        if (p != producer_node_.end())
            fail(n, "input " + std::to_string(k) + " (" + std::string(role) + ") " + quote_name(name) + " comes from node #" +
                        std::to_string(p->second) + ", which produced no value for it");
        fail(n, "input " + std::to_string(k) + " (" + std::string(role) + ") " + quote_name(name) +
                    " is not an initializer, the graph input nor the output of an earlier node (a missing "
                    "initializer?)");
    }
    return it->second;
}

const value& importer::activation(int n, int k, std::string_view role) const {
    const value& v = input(n, k, role);
    const std::string& name = g_.node(n).input(k);
    if (v.k == value::kind::constant)
        fail(n, "input " + std::to_string(k) + " (" + std::string(role) + ") " + quote_name(name) +
                    " is a constant; hass layers read feature maps there (constant folding is not supported)");
    if (v.k == value::kind::padded)
        fail(n, "reads " + quote_name(name) + ", the output of Pad " + node_label(v.pad_node) +
                    "; hass folds a Pad into the Conv, MaxPool or AveragePool that reads it, and this node is a " +
                    node_op(n));
    return v;
}

/// A 4-D feature map input (Conv, pooling, BatchNormalization, Pad).
const value& importer::spatial(int n, int k, std::string_view role, bool allow_padded) const {
    const value& v = input(n, k, role);
    const std::string& name = g_.node(n).input(k);
    if (v.k == value::kind::padded) {
        if (!allow_padded) (void)activation(n, k, role); // fails with the Pad message
        return v;
    }
    (void)activation(n, k, role);
    if (v.flat)
        fail(n, "input " + quote_name(name) + " is " + dims_text(onnx_dims(v)) +
                    "; a " + node_op(n) + " reads a 4-D feature map [1, C, H, W]");
    return v;
}

tensor_ref importer::constant(int n, int k, std::string_view role) const {
    const value& v = input(n, k, role);
    const std::string& name = g_.node(n).input(k);
    if (v.k != value::kind::constant)
        fail(n, "input " + std::to_string(k) + " (" + std::string(role) + ") " + quote_name(name) +
                    " must be an initializer or a Constant (hass reads weights and parameters from the model), "
                    "but it is computed by the graph");
    const bool init = v.node < 0;
    return {v.tensor, node_where(n) + ": " + std::string(role) + " " + (init ? "initializer " : "constant ") + quote_name(name)};
}

void importer::define(int n, int k, value v) {
    const NodeProto& node = g_.node(n);
    if (node.output_size() <= k || node.output(k).empty()) fail(n, "output " + std::to_string(k) + " is missing");
    v.node = n;
    values_[node.output(k)] = std::move(v);
}

void importer::require_unused_outputs(int n, int from) const {
    const NodeProto& node = g_.node(n);
    for (int k = from; k < node.output_size(); ++k) {
        const std::string& out = node.output(k);
        if (out.empty() || readers(out).empty()) continue;
        fail(n, "output " + std::to_string(k) + " " + quote_name(out) + " is read by " + reader_list(out, -2) +
                    "; hass reads only the first output of a " + node_op(n));
    }
}

const AttributeProto* importer::attribute(int n, std::string_view name) const {
    for (const auto& a : g_.node(n).attribute())
        if (a.name() == name) return &a;
    return nullptr;
}

void importer::check_attributes(int n, std::initializer_list<std::string_view> known) const {
    std::set<std::string> seen;
    for (const auto& a : g_.node(n).attribute()) {
        if (!seen.insert(a.name()).second) fail(n, "attribute " + quote_name(a.name()) + " is given twice");
        if (std::find(known.begin(), known.end(), a.name()) != known.end()) continue;
        std::string list;
        for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        fail(n, "unknown attribute " + quote_name(a.name()) + " for " + node_op(n) +
                    (list.empty() ? " (it takes none)" : " (known: " + list + ")"));
    }
}

std::int64_t importer::attr_int(int n, std::string_view name, std::int64_t fallback) const {
    const AttributeProto* a = attribute(n, name);
    if (!a) return fallback;
    if (a->type() != AttributeProto::INT) fail(n, "attribute '" + std::string(name) + "' must be an integer");
    return a->i();
}

std::optional<std::vector<std::int64_t>> importer::attr_ints(int n, std::string_view name) const {
    const AttributeProto* a = attribute(n, name);
    if (!a) return std::nullopt;
    if (a->type() != AttributeProto::INTS) fail(n, "attribute '" + std::string(name) + "' must be a list of integers");
    return std::vector<std::int64_t>(a->ints().begin(), a->ints().end());
}

std::optional<float> importer::attr_float_opt(int n, std::string_view name) const {
    const AttributeProto* a = attribute(n, name);
    if (!a) return std::nullopt;
    if (a->type() != AttributeProto::FLOAT) fail(n, "attribute '" + std::string(name) + "' must be a float");
    if (std::isnan(a->f())) fail(n, "attribute '" + std::string(name) + "' is NaN");
    return a->f();
}

float importer::attr_float(int n, std::string_view name, float fallback) const {
    return attr_float_opt(n, name).value_or(fallback);
}

std::string importer::attr_string(int n, std::string_view name, std::string fallback) const {
    const AttributeProto* a = attribute(n, name);
    if (!a) return fallback;
    if (a->type() != AttributeProto::STRING) fail(n, "attribute '" + std::string(name) + "' must be a string");
    return a->s();
}

// ----------------------------------------------------------------------------
// Layers
// ----------------------------------------------------------------------------

int importer::add_layer(layer l, int n, const std::string& out_tensor, hls::layer_weights w) {
    l.name = names_[static_cast<std::size_t>(n)];
    auto too_big = [&](count_t v) { return v < 1 || v > max_dimension; };
    if (too_big(l.out.rows) || too_big(l.out.cols) || too_big(l.out.channels))
        fail(n, "the output " + shape_text(l.out) + " has a dimension outside 1.." + std::to_string(max_dimension));
    const auto d = [](count_t v) { return static_cast<double>(v); };
    const double weights = l.has_weights() ? d(l.out.channels) * d(l.channels_in()) / d(l.groups) * d(l.kernel_size()) : 0;
    if (d(l.padded_rows()) * d(l.padded_cols()) * d(l.in.channels) > 1e15 ||
        d(l.out.rows) * d(l.out.cols) * d(l.out.channels) > 1e15 || weights > 1e15 ||
        weights * d(l.out.rows) * d(l.out.cols) > 1e15)
        fail(n, "the layer is too large to model (more than 1e15 elements, weights or MACs)");
    if (auto p = layer_problem(l); !p.empty()) fail(n, p);
    net_.layers.push_back(std::move(l));
    lw_.push_back(std::move(w));
    layer_node_.push_back(n);
    layer_tensor_.push_back(out_tensor);
    return static_cast<int>(net_.layers.size()) - 1;
}

value importer::layer_output(int layer_index, int n, bool flat) const {
    value v;
    v.producer = layer_index;
    v.shape = net_.layers[static_cast<std::size_t>(layer_index)].out;
    v.flat = flat;
    v.node = n;
    return v;
}

// ----------------------------------------------------------------------------
// Operators
// ----------------------------------------------------------------------------

void importer::node(int n) {
    const NodeProto& nd = g_.node(n);
    const std::string& op = nd.op_type();
    if (!nd.domain().empty() && nd.domain() != "ai.onnx")
        fail(n, "operator " + quote_name(op) + " of domain " + quote_name(nd.domain()) +
                    " is not supported by hass (it reads operators of the default ONNX domain: " + supported_text() + ")");
    if (std::find(folded_list().begin(), folded_list().end(), op) != folded_list().end() ||
        ((op == "Concat" || op == "Reshape") && nd.input_size() > 0))
        if (fold(n)) return; // a shape or padding computation on constants
    if (op == "Conv") return conv(n);
    if (op == "BatchNormalization") return batchnorm(n);
    if (op == "Gemm") return gemm(n);
    if (op == "MatMul") return matmul(n);
    if (op == "Relu") return unary(n, layer_type::relu);
    if (op == "Sigmoid") return unary(n, layer_type::sigmoid);
    if (op == "HardSwish") return unary(n, layer_type::hardswish);
    if (op == "HardSigmoid") return hardsigmoid(n);
    if (op == "Clip") return clip(n);
    if (op == "MaxPool") return pool(n, false);
    if (op == "AveragePool") return pool(n, true);
    if (op == "GlobalAveragePool") return global_pool(n, pool_op::avg);
    if (op == "GlobalMaxPool") return global_pool(n, pool_op::max);
    if (op == "Add") return binary(n, eltwise_op::add);
    if (op == "Mul") return binary(n, eltwise_op::mul);
    if (op == "Concat") return concat(n);
    if (op == "Flatten") return flatten(n);
    if (op == "Reshape") return reshape(n);
    if (op == "Pad") return pad(n);
    if (op == "Constant") return constant_node(n);
    if (op == "Identity" || op == "Dropout") return alias(n);
    const std::string why = rejection_reason(op);
    fail(n, "operator " + quote_name(op) + " is not supported by hass" + (why.empty() ? "" : ": " + why) +
                " (supported operators: " + supported_text() + ")");
}

importer::window importer::read_window(int n, const value& x, std::optional<std::array<count_t, 2>> kernel,
                                       bool pooling) {
    window w;
    const auto ks = attr_ints(n, "kernel_shape");
    if (ks) {
        if (ks->size() != 2)
            fail(n, "kernel_shape " + dims_text(*ks) + ": hass models 2-D windows (kernel_shape [kh, kw])");
        if ((*ks)[0] < 1 || (*ks)[1] < 1 || (*ks)[0] > max_dimension || (*ks)[1] > max_dimension)
            fail(n, "kernel_shape " + dims_text(*ks) + " must be positive");
        if (kernel && ((*ks)[0] != (*kernel)[0] || (*ks)[1] != (*kernel)[1]))
            fail(n, "kernel_shape " + dims_text(*ks) + " differs from the weights' kernel " +
                        dims_text({(*kernel)[0], (*kernel)[1]}));
        w.kernel_rows = (*ks)[0];
        w.kernel_cols = (*ks)[1];
    } else if (kernel) {
        w.kernel_rows = (*kernel)[0];
        w.kernel_cols = (*kernel)[1];
    } else {
        fail(n, "attribute 'kernel_shape' is missing");
    }
    if (const auto dil = attr_ints(n, "dilations")) {
        if (dil->size() != 2) fail(n, "dilations " + dims_text(*dil) + " must have two entries");
        if ((*dil)[0] != 1 || (*dil)[1] != 1)
            fail(n, "dilations " + dims_text(*dil) + " are not supported: hass models undilated " +
                        std::string(pooling ? "pooling windows" : "convolutions") + " (dilations [1, 1])");
    }
    if (const auto st = attr_ints(n, "strides")) {
        if (st->size() != 2) fail(n, "strides " + dims_text(*st) + " must have two entries");
        if ((*st)[0] < 1 || (*st)[1] < 1 || (*st)[0] > max_dimension || (*st)[1] > max_dimension)
            fail(n, "strides " + dims_text(*st) + " must be positive");
        w.stride_rows = (*st)[0];
        w.stride_cols = (*st)[1];
    }
    // the input as ONNX sees it: after a Pad folded into this node
    const count_t H = x.shape.rows + x.pad[0] + x.pad[2];
    const count_t W = x.shape.cols + x.pad[1] + x.pad[3];
    const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
    const auto pads = attr_ints(n, "pads");
    if (auto_pad == "NOTSET") {
        if (pads) {
            if (pads->size() != 4)
                fail(n, "pads " + dims_text(*pads) + " must have four entries [top, left, bottom, right]");
            for (auto p : *pads)
                if (p < 0 || p > max_dimension) fail(n, "pads " + dims_text(*pads) + " must be >= 0");
            w.top = (*pads)[0];
            w.left = (*pads)[1];
            w.bottom = (*pads)[2];
            w.right = (*pads)[3];
        }
    } else if (auto_pad == "VALID") {
        if (pads) fail(n, "auto_pad VALID and pads are given together");
    } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
        if (pads) fail(n, "auto_pad " + auto_pad + " and pads are given together");
        // output ceil(in / stride); the extra padding goes at the end (UPPER) or the beginning (LOWER)
        auto same = [&](count_t in, count_t k, count_t s, count_t& begin, count_t& end) {
            const count_t out = (in + s - 1) / s;
            const count_t total = std::max<count_t>((out - 1) * s + k - in, 0);
            begin = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
            end = total - begin;
        };
        same(H, w.kernel_rows, w.stride_rows, w.top, w.bottom);
        same(W, w.kernel_cols, w.stride_cols, w.left, w.right);
    } else {
        fail(n, "auto_pad " + quote_name(auto_pad) + " is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER");
    }
    if (w.kernel_rows > H + w.top + w.bottom || w.kernel_cols > W + w.left + w.right)
        fail(n, "the kernel " + std::to_string(w.kernel_rows) + "x" + std::to_string(w.kernel_cols) +
                    " is larger than the padded input " + std::to_string(H + w.top + w.bottom) + "x" +
                    std::to_string(W + w.left + w.right));
    return w;
}

void importer::conv(int n) {
    check_attributes(n, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
    check_inputs(n, 2, 3);
    const value x = spatial(n, 0, "X", true);
    const tensor_ref wref = constant(n, 1, "W");
    const auto wd = tensor_dims(wref);
    if (wd.size() != 4)
        fail(n, "the weights " + quote_name(g_.node(n).input(1)) + " have shape " + dims_text(wd) +
                    "; hass models 2-D convolutions (weights [F, C/group, kh, kw])");
    const std::int64_t group = attr_int(n, "group", 1);
    const count_t C = x.shape.channels;
    if (group < 1 || C % group != 0)
        fail(n, "group " + std::to_string(group) + " does not divide the " + std::to_string(C) + " input channels");
    const count_t F = wd[0];
    if (F < 1 || F % group != 0)
        fail(n, "group " + std::to_string(group) + " does not divide the " + std::to_string(F) + " filters of " +
                    dims_text(wd));
    if (wd[1] != C / group)
        fail(n, "the weights " + dims_text(wd) + " have " + std::to_string(wd[1]) +
                    " channels per filter, but the input has " + std::to_string(C) + " channels and group " +
                    std::to_string(group) + " (expected " + std::to_string(C / group) + ")");
    if (wd[2] < 1 || wd[3] < 1) fail(n, "the weights " + dims_text(wd) + " have an empty kernel");
    const window w = read_window(n, x, std::array<count_t, 2>{wd[2], wd[3]}, false);

    layer l;
    l.type = layer_type::convolution;
    l.in = x.shape;
    l.inputs = {x.producer};
    l.kernel_rows = w.kernel_rows;
    l.kernel_cols = w.kernel_cols;
    l.stride_rows = w.stride_rows;
    l.stride_cols = w.stride_cols;
    l.pad_top = x.pad[0] + w.top;
    l.pad_left = x.pad[1] + w.left;
    l.pad_bottom = x.pad[2] + w.bottom;
    l.pad_right = x.pad[3] + w.right;
    l.groups = group;
    l.out = {(l.padded_rows() - l.kernel_rows) / l.stride_rows + 1, (l.padded_cols() - l.kernel_cols) / l.stride_cols + 1, F};
    hls::layer_weights lw;
    lw.weights = float_values(wref);
    if (has_input(n, 2)) {
        const tensor_ref bref = constant(n, 2, "B");
        const auto bd = tensor_dims(bref);
        if (bd.size() != 1 || bd[0] != F)
            fail(n, "the bias " + quote_name(g_.node(n).input(2)) + " has shape " + dims_text(bd) + ", expected [" +
                        std::to_string(F) + "]");
        lw.bias = float_values(bref);
        l.bias = true;
    }
    if (x.k == value::kind::padded)
        res_.notes.push_back("Pad " + node_label(x.pad_node) + " folded into the padding of Conv " +
                             quote_name(names_[static_cast<std::size_t>(n)]));
    const int idx = add_layer(std::move(l), n, g_.node(n).output(0), std::move(lw));
    define(n, 0, layer_output(idx, n, false));
}

void importer::batchnorm(int n) {
    check_attributes(n, {"epsilon", "momentum", "spatial", "training_mode", "is_test"});
    check_inputs(n, 5, 5);
    require_unused_outputs(n, 1);
    if (attr_int(n, "training_mode", 0) != 0)
        fail(n, "training_mode 1: hass folds BatchNormalization in inference mode (export the model after "
                "model.eval())");
    if (attr_int(n, "spatial", 1) != 1) fail(n, "spatial 0 (per-element statistics) is not supported");
    const value x = spatial(n, 0, "X", false);
    const std::string& xname = g_.node(n).input(0);
    const int conv_layer = x.producer;
    const bool after_conv = conv_layer >= 0 && net_.layers[static_cast<std::size_t>(conv_layer)].type == layer_type::convolution &&
                            g_.node(layer_node_[static_cast<std::size_t>(conv_layer)]).op_type() == "Conv" &&
                            canonical(layer_tensor_[static_cast<std::size_t>(conv_layer)]) == canonical(xname);
    if (!after_conv) {
        std::string what = "the graph input";
        if (x.producer >= 0) {
            const int pn = layer_node_[static_cast<std::size_t>(x.producer)];
            what = "node " + quote_name(names_[static_cast<std::size_t>(pn)]) + " (" + node_op(pn) + ")";
        }
        fail(n, "its input " + quote_name(xname) + " comes from " + what +
                    ", not from a Conv; hass folds BatchNormalization into the convolution before it only");
    }
    layer& l = net_.layers[static_cast<std::size_t>(conv_layer)];
    if (!only_reader(xname, n))
        fail(n, "the output " + quote_name(xname) + " of Conv " + quote_name(l.name.view()) + " is also read by " +
                    reader_list(xname, n) +
                    "; hass folds the BatchNormalization into the convolution, so nothing else may read the "
                    "convolution's output before it");
    if (l.batchnorm) fail(n, "Conv " + quote_name(l.name.view()) + " already has a BatchNormalization folded into it");
    const count_t F = l.out.channels;
    std::array<std::vector<float>, 4> p; // scale, B, mean, var
    const char* roles[] = {"scale", "B", "mean", "var"};
    for (int k = 0; k < 4; ++k) {
        const tensor_ref r = constant(n, k + 1, roles[k]);
        const auto d = tensor_dims(r);
        if (d.size() != 1 || d[0] != F)
            fail(n, std::string(roles[k]) + " " + quote_name(g_.node(n).input(k + 1)) + " has shape " + dims_text(d) +
                        ", expected [" + std::to_string(F) + "] (one per channel)");
        p[static_cast<std::size_t>(k)] = float_values(r);
    }
    const double eps = attr_float(n, "epsilon", 1e-5f);
    hls::layer_weights& lw = lw_[static_cast<std::size_t>(conv_layer)];
    const std::size_t per_filter = lw.weights.size() / static_cast<std::size_t>(F);
    std::vector<float> bias(static_cast<std::size_t>(F));
    for (std::size_t f = 0; f < static_cast<std::size_t>(F); ++f) {
        const double var = static_cast<double>(p[3][f]) + eps;
        if (!(var > 0))
            fail(n, "var + epsilon is " + number_text(var) + " for channel " + std::to_string(f) +
                        " (the folded scale 1/sqrt(var + epsilon) needs it > 0)");
        const double s = static_cast<double>(p[0][f]) / std::sqrt(var);
        for (std::size_t i = 0; i < per_filter; ++i) {
            float& wv = lw.weights[f * per_filter + i];
            wv = static_cast<float>(static_cast<double>(wv) * s);
        }
        const double b = lw.bias.empty() ? 0.0 : static_cast<double>(lw.bias[f]);
        bias[f] = static_cast<float>((b - static_cast<double>(p[2][f])) * s + static_cast<double>(p[1][f]));
    }
    lw.bias = std::move(bias);
    l.batchnorm = true;
    layer_tensor_[static_cast<std::size_t>(conv_layer)] = g_.node(n).output(0);
    res_.notes.push_back("BatchNormalization " + node_label(n) + " folded into Conv " + quote_name(l.name.view()));
    value v = x;
    define(n, 0, v);
}

void importer::gemm(int n) {
    check_attributes(n, {"alpha", "beta", "transA", "transB"});
    check_inputs(n, 2, 3);
    const value a = activation(n, 0, "A");
    if (!a.flat)
        fail(n, "input A " + quote_name(g_.node(n).input(0)) + " is " + dims_text(onnx_dims(a)) +
                    "; Gemm reads a matrix [1, N] (flatten the feature map first)");
    if (attr_int(n, "transA", 0) != 0) fail(n, "transA 1 is not supported (A is the [1, N] input vector)");
    const bool transB = attr_int(n, "transB", 0) != 0;
    const double alpha = attr_float(n, "alpha", 1.0f), beta = attr_float(n, "beta", 1.0f);
    const tensor_ref bref = constant(n, 1, "B");
    const auto bd = tensor_dims(bref);
    const count_t N = a.shape.size();
    if (bd.size() != 2)
        fail(n, "B " + quote_name(g_.node(n).input(1)) + " has shape " + dims_text(bd) + "; expected a matrix");
    const count_t F = transB ? bd[0] : bd[1];
    const count_t K = transB ? bd[1] : bd[0];
    if (K != N)
        fail(n, "B " + quote_name(g_.node(n).input(1)) + " has shape " + dims_text(bd) + " (transB " +
                    std::to_string(transB ? 1 : 0) + "), which does not match the " + std::to_string(N) +
                    " input features of A " + dims_text(onnx_dims(a)));
    if (F < 1) fail(n, "B " + dims_text(bd) + " has no output features");
    const std::vector<float> b = float_values(bref);
    // hass's inner product reads its input in stream order (row, col, channel); ONNX flattens (channel, row, col)
    const count_t H = a.shape.rows, W = a.shape.cols, C = a.shape.channels;
    hls::layer_weights lw;
    lw.weights.resize(static_cast<std::size_t>(F * N));
    for (count_t f = 0; f < F; ++f)
        for (count_t c = 0; c < C; ++c)
            for (count_t r = 0; r < H; ++r)
                for (count_t q = 0; q < W; ++q) {
                    const count_t k_onnx = (c * H + r) * W + q;
                    const count_t k_hass = (r * W + q) * C + c;
                    const count_t at = transB ? f * N + k_onnx : k_onnx * F + f;
                    lw.weights[static_cast<std::size_t>(f * N + k_hass)] =
                        static_cast<float>(alpha * static_cast<double>(b[static_cast<std::size_t>(at)]));
                }
    layer l;
    l.type = layer_type::inner_product;
    l.in = a.shape;
    l.inputs = {a.producer};
    l.out = {1, 1, F};
    if (has_input(n, 2)) {
        const tensor_ref cref = constant(n, 2, "C");
        const auto cd = tensor_dims(cref);
        const std::int64_t ce = tensor_elements(cref);
        const bool ok = (ce == F || ce == 1) && cd.size() <= 2 && (cd.empty() || cd.back() == ce) &&
                        (cd.size() < 2 || cd[0] == 1);
        if (!ok)
            fail(n, "C " + quote_name(g_.node(n).input(2)) + " has shape " + dims_text(cd) + "; expected [" +
                        std::to_string(F) + "], [1, " + std::to_string(F) + "] or a scalar");
        const std::vector<float> c = float_values(cref);
        lw.bias.resize(static_cast<std::size_t>(F));
        for (std::size_t f = 0; f < lw.bias.size(); ++f)
            lw.bias[f] = static_cast<float>(beta * static_cast<double>(c[c.size() == 1 ? 0 : f]));
        l.bias = true;
    } else {
        l.bias = false;
    }
    const int idx = add_layer(std::move(l), n, g_.node(n).output(0), std::move(lw));
    define(n, 0, layer_output(idx, n, true));
}

void importer::matmul(int n) {
    check_attributes(n, {});
    check_inputs(n, 2, 2);
    const value a = activation(n, 0, "A");
    if (!a.flat)
        fail(n, "input A " + quote_name(g_.node(n).input(0)) + " is " + dims_text(onnx_dims(a)) +
                    "; hass reads a MatMul of a vector [1, N] by a weight matrix [N, F] (an inner product)");
    const tensor_ref bref = constant(n, 1, "B");
    const auto bd = tensor_dims(bref);
    const count_t N = a.shape.size();
    if (bd.size() != 2 || bd[0] != N || bd[1] < 1)
        fail(n, "B " + quote_name(g_.node(n).input(1)) + " has shape " + dims_text(bd) + "; expected [" +
                    std::to_string(N) + ", F] for the input " + dims_text(onnx_dims(a)));
    const count_t F = bd[1];
    const std::vector<float> b = float_values(bref);
    const count_t H = a.shape.rows, W = a.shape.cols, C = a.shape.channels;
    hls::layer_weights lw;
    lw.weights.resize(static_cast<std::size_t>(F * N));
    for (count_t f = 0; f < F; ++f)
        for (count_t c = 0; c < C; ++c)
            for (count_t r = 0; r < H; ++r)
                for (count_t q = 0; q < W; ++q) {
                    const count_t k_onnx = (c * H + r) * W + q;
                    lw.weights[static_cast<std::size_t>(f * N + (r * W + q) * C + c)] =
                        b[static_cast<std::size_t>(k_onnx * F + f)];
                }
    layer l;
    l.type = layer_type::inner_product;
    l.in = a.shape;
    l.inputs = {a.producer};
    l.out = {1, 1, F};
    l.bias = false;
    const int idx = add_layer(std::move(l), n, g_.node(n).output(0), std::move(lw));
    define(n, 0, layer_output(idx, n, true));
}

void importer::unary(int n, layer_type t) {
    check_attributes(n, {});
    activation_layer(n, t);
}

void importer::activation_layer(int n, layer_type t) {
    check_inputs(n, 1, 1);
    const value x = activation(n, 0, "X");
    layer l;
    l.type = t;
    l.in = l.out = x.shape;
    l.inputs = {x.producer};
    const int idx = add_layer(std::move(l), n, g_.node(n).output(0));
    define(n, 0, layer_output(idx, n, x.flat));
}

void importer::hardsigmoid(int n) {
    check_attributes(n, {"alpha", "beta"});
    if (fused_hardsigmoid_.count(n)) return; // the Mul that reads it builds a HardSwish
    const float alpha = attr_float(n, "alpha", 0.2f), beta = attr_float(n, "beta", 0.5f);
    if (std::abs(alpha - 1.0f / 6.0f) > 1e-6f || std::abs(beta - 0.5f) > 1e-6f)
        fail(n, "alpha " + number_text(alpha) + ", beta " + number_text(beta) +
                    ": hass's hardsigmoid is clamp(x/6 + 1/2, 0, 1) (alpha 1/6, beta 0.5, as PyTorch's)");
    activation_layer(n, layer_type::hardsigmoid);
}

void importer::clip(int n) {
    check_attributes(n, opset_ < 11 ? std::initializer_list<std::string_view>{"min", "max"}
                                    : std::initializer_list<std::string_view>{});
    check_inputs(n, 1, 3);
    std::optional<float> lo, hi;
    if (opset_ < 11) {
        lo = attr_float_opt(n, "min");
        hi = attr_float_opt(n, "max");
    } else {
        auto scalar = [&](int k, const char* role) -> std::optional<float> {
            if (!has_input(n, k)) return std::nullopt;
            const tensor_ref r = constant(n, k, role);
            const std::vector<float> v = float_values(r);
            if (v.size() != 1) fail(n, std::string(role) + " " + quote_name(g_.node(n).input(k)) + " must be a scalar");
            return v[0];
        };
        lo = scalar(1, "min");
        hi = scalar(2, "max");
    }
    const bool lo_zero = lo && *lo == 0.0f;
    const bool lo_nonpositive = !lo || *lo <= 0.0f;
    const bool no_hi = !hi || std::isinf(*hi) || *hi >= std::numeric_limits<float>::max();
    const bool hi_six = hi && *hi == 6.0f;
    const value x = activation(n, 0, "input");
    const std::string& xname = g_.node(n).input(0);
    // Relu then Clip(min <= 0, 6) (PyTorch's F.relu6): the ReLU layer becomes one relu6 layer
    if (hi_six && lo_nonpositive && x.producer >= 0) {
        const auto li = static_cast<std::size_t>(x.producer);
        layer& r = net_.layers[li];
        if (r.type == layer_type::relu && g_.node(layer_node_[li]).op_type() == "Relu" &&
            canonical(layer_tensor_[li]) == canonical(xname) && only_reader(xname, n)) {
            r.type = layer_type::relu6;
            layer_tensor_[li] = g_.node(n).output(0);
            res_.notes.push_back("Relu " + quote_name(r.name.view()) + " and Clip " +
                                 quote_name(names_[static_cast<std::size_t>(n)]) + " (max 6) fused into one relu6 layer");
            define(n, 0, x);
            return;
        }
    }
    layer_type t = layer_type::relu;
    if (lo_zero && hi_six)
        t = layer_type::relu6;
    else if (lo_zero && no_hi)
        t = layer_type::relu;
    else
        fail(n, "Clip(" + (lo ? number_text(*lo) : std::string("-inf")) + ", " +
                    (hi ? number_text(*hi) : std::string("inf")) +
                    ") is not supported: hass reads Clip(0, 6) as relu6 and Clip(0, inf) as relu (and Clip(min <= 0, "
                    "6) right after a Relu as one relu6)");
    layer l;
    l.type = t;
    l.in = l.out = x.shape;
    l.inputs = {x.producer};
    const int idx = add_layer(std::move(l), n, g_.node(n).output(0));
    define(n, 0, layer_output(idx, n, x.flat));
}

void importer::pool(int n, bool average) {
    if (average)
        check_attributes(n, {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"});
    else
        check_attributes(n, {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"});
    check_inputs(n, 1, 1);
    require_unused_outputs(n, 1);
    const value x = spatial(n, 0, "X", true);
    const window w = read_window(n, x, std::nullopt, true);
    const bool own_pads = w.top + w.left + w.bottom + w.right > 0;
    if (average && own_pads && attr_int(n, "count_include_pad", 0) == 0)
        fail(n, "count_include_pad 0 with pads " + dims_text({w.top, w.left, w.bottom, w.right}) +
                    ": hass averages over the whole window, padding zeros included (count_include_pad 1, "
                    "PyTorch's default), so the border outputs would differ");
    layer l;
    l.type = layer_type::pooling;
    l.pool = average ? pool_op::avg : pool_op::max;
    l.in = x.shape;
    l.inputs = {x.producer};
    l.kernel_rows = w.kernel_rows;
    l.kernel_cols = w.kernel_cols;
    l.stride_rows = w.stride_rows;
    l.stride_cols = w.stride_cols;
    l.pad_top = x.pad[0] + w.top;
    l.pad_left = x.pad[1] + w.left;
    l.pad_bottom = x.pad[2] + w.bottom;
    l.pad_right = x.pad[3] + w.right;
    l.out = {(l.padded_rows() - l.kernel_rows) / l.stride_rows + 1,
             (l.padded_cols() - l.kernel_cols) / l.stride_cols + 1, x.shape.channels};
    if (attr_int(n, "ceil_mode", 0) != 0) {
        const count_t hr = (l.padded_rows() - l.kernel_rows + l.stride_rows - 1) / l.stride_rows + 1;
        const count_t hc = (l.padded_cols() - l.kernel_cols + l.stride_cols - 1) / l.stride_cols + 1;
        if (hr != l.out.rows || hc != l.out.cols)
            fail(n, "ceil_mode 1 gives a " + std::to_string(hr) + "x" + std::to_string(hc) +
                        " output here, but hass pools with floor (" + std::to_string(l.out.rows) + "x" +
                        std::to_string(l.out.cols) + ")");
    }
    if (!average && own_pads) {
        // ONNX ignores the padding in a max; hass pads with zeros, the same when the input is >= 0
        bool non_negative = false;
        if (x.producer >= 0) {
            const layer_type pt = net_.layers[static_cast<std::size_t>(x.producer)].type;
            non_negative = pt == layer_type::relu || pt == layer_type::relu6 || pt == layer_type::sigmoid ||
                           pt == layer_type::hardsigmoid;
        }
        if (!non_negative)
            res_.warnings.push_back(node_where(n) + ": hass pads the max pooling with zeros, ONNX ignores the "
                                                    "padding; border outputs differ where a window holds only "
                                                    "negative values (exact after a ReLU)");
    }
    if (x.k == value::kind::padded)
        res_.notes.push_back("Pad " + node_label(x.pad_node) + " folded into the padding of " + node_op(n) + " " +
                             quote_name(names_[static_cast<std::size_t>(n)]));
    const int idx = add_layer(std::move(l), n, g_.node(n).output(0));
    define(n, 0, layer_output(idx, n, false));
}

void importer::global_pool(int n, pool_op p) {
    check_attributes(n, {});
    check_inputs(n, 1, 1);
    const value x = spatial(n, 0, "X", false);
    layer l;
    l.type = layer_type::global_pooling;
    l.pool = p;
    l.in = x.shape;
    l.inputs = {x.producer};
    l.out = {1, 1, x.shape.channels};
    const int idx = add_layer(std::move(l), n, g_.node(n).output(0));
    define(n, 0, layer_output(idx, n, false));
}

void importer::binary(int n, eltwise_op op) {
    check_attributes(n, {});
    check_inputs(n, 2, 2);
    if (auto h = hardswish_of_.find(n); h != hardswish_of_.end()) {
        // x * HardSigmoid(x): one HardSwish layer
        const int k = canonical(g_.node(n).input(0)) == h->second ? 0 : 1;
        const value x = activation(n, k, "x");
        layer l;
        l.type = layer_type::hardswish;
        l.in = l.out = x.shape;
        l.inputs = {x.producer};
        const int idx = add_layer(std::move(l), n, g_.node(n).output(0));
        res_.notes.push_back("x * HardSigmoid(x) (Mul " + quote_name(names_[static_cast<std::size_t>(n)]) +
                             ") fused into one hardswish layer");
        define(n, 0, layer_output(idx, n, x.flat));
        return;
    }
    const value& a0 = input(n, 0, "A");
    const value& b0 = input(n, 1, "B");
    const bool ca = a0.k == value::kind::constant, cb = b0.k == value::kind::constant;
    if (ca && cb) fail(n, "both inputs are constants (constant folding is not supported; export with do_constant_folding=True)");
    if (ca || cb) {
        if (op == eltwise_op::mul)
            fail(n, "multiplies by the constant " + quote_name(g_.node(n).input(ca ? 0 : 1)) +
                        "; hass has no scaling layer (fold the scale into the weights before export)");
        return bias_add(n, ca ? 1 : 0, ca ? 0 : 1);
    }
    value a = activation(n, 0, "A");
    value b = activation(n, 1, "B");
    std::string an = g_.node(n).input(0), bn = g_.node(n).input(1);
    const bool a_small = !a.flat && a.shape.rows == 1 && a.shape.cols == 1;
    const bool b_small = !b.flat && b.shape.rows == 1 && b.shape.cols == 1;
    if (a_small && !b_small && !b.flat) { // broadcast input second, as hass's eltwise expects
        std::swap(a, b);
        std::swap(an, bn);
    }
    const bool same = a.shape == b.shape && a.flat == b.flat;
    const bool broadcast = !same && !a.flat && !b.flat && b.shape.rows == 1 && b.shape.cols == 1 &&
                           b.shape.channels == a.shape.channels;
    if (!same && !broadcast)
        fail(n, "inputs " + quote_name(an) + " " + dims_text(onnx_dims(a)) + " and " + quote_name(bn) + " " +
                    dims_text(onnx_dims(b)) +
                    ": hass's element-wise layers take equal shapes, or a [1, C, 1, 1] second input broadcast "
                    "over rows and columns");
    layer l;
    l.type = layer_type::eltwise;
    l.op = op;
    l.in = l.out = a.shape;
    l.inputs = {a.producer, b.producer};
    l.broadcast = broadcast;
    const int idx = add_layer(std::move(l), n, g_.node(n).output(0));
    define(n, 0, layer_output(idx, n, a.flat));
}

/// Add(x, constant) right after a Conv, Gemm or MatMul: the constant is the layer's bias.
void importer::bias_add(int n, int act_k, int const_k) {
    const value x = activation(n, act_k, "X");
    const std::string& xname = g_.node(n).input(act_k);
    const std::string& cname = g_.node(n).input(const_k);
    const int li = x.producer;
    const bool weighted = li >= 0 && net_.layers[static_cast<std::size_t>(li)].has_weights() &&
                          canonical(layer_tensor_[static_cast<std::size_t>(li)]) == canonical(xname);
    if (!weighted)
        fail(n, "adds the constant " + quote_name(cname) +
                    " to a tensor that is not the output of a Conv, Gemm or MatMul; hass folds a constant Add only "
                    "into the bias of the layer before it");
    layer& l = net_.layers[static_cast<std::size_t>(li)];
    if (!only_reader(xname, n))
        fail(n, "the output " + quote_name(xname) + " of " + quote_name(l.name.view()) + " is also read by " +
                    reader_list(xname, n) + "; a constant Add is folded into the layer's bias only when it is the "
                    "layer's only reader");
    const tensor_ref cref = constant(n, const_k, "bias");
    const auto cd = tensor_dims(cref);
    const count_t F = l.out.channels;
    const auto out_dims = onnx_dims(x);
    // broadcast against the output: every dimension 1 except the channel (axis 1), which is F or 1
    bool ok = cd.size() <= out_dims.size();
    const std::size_t offset = out_dims.size() - std::min(cd.size(), out_dims.size());
    for (std::size_t i = 0; ok && i < cd.size(); ++i) {
        const std::size_t axis = offset + i;
        if (cd[i] == 1) continue;
        ok = axis == 1 && cd[i] == F;
    }
    if (!ok)
        fail(n, "the constant " + quote_name(cname) + " has shape " + dims_text(cd) + ", which is not one value per channel of " +
                    dims_text(out_dims) + " (hass folds it into the bias of " + quote_name(l.name.view()) + ")");
    const std::vector<float> c = float_values(cref);
    hls::layer_weights& lw = lw_[static_cast<std::size_t>(li)];
    if (lw.bias.empty()) lw.bias.assign(static_cast<std::size_t>(F), 0.0f);
    for (std::size_t f = 0; f < lw.bias.size(); ++f) lw.bias[f] += c[c.size() == 1 ? 0 : f];
    l.bias = true;
    layer_tensor_[static_cast<std::size_t>(li)] = g_.node(n).output(0);
    res_.notes.push_back("Add " + quote_name(names_[static_cast<std::size_t>(n)]) + " folded into the bias of " +
                         node_op(layer_node_[static_cast<std::size_t>(li)]) + " " + quote_name(l.name.view()));
    define(n, 0, x);
}

void importer::concat(int n) {
    check_attributes(n, {"axis"});
    const NodeProto& nd = g_.node(n);
    if (nd.input_size() < 1) fail(n, "has no inputs");
    if (nd.output_size() < 1 || nd.output(0).empty()) fail(n, "has no output");
    if (!attribute(n, "axis")) fail(n, "attribute 'axis' is missing");
    std::vector<value> xs;
    for (int k = 0; k < nd.input_size(); ++k) xs.push_back(activation(n, k, "input"));
    const value& first = xs.front();
    const std::int64_t rank = first.flat ? 2 : 4;
    std::int64_t axis = attr_int(n, "axis", 1);
    if (axis < 0) axis += rank;
    if (axis != 1)
        fail(n, "axis " + std::to_string(attr_int(n, "axis", 1)) + " of inputs of rank " + std::to_string(rank) +
                    ": hass concatenates along the channels only (axis 1)");
    for (std::size_t k = 0; k < xs.size(); ++k) {
        const value& v = xs[k];
        const bool vector_ok = v.flat && first.flat && v.shape.rows == 1 && v.shape.cols == 1 && first.shape.rows == 1 &&
                               first.shape.cols == 1;
        const bool map_ok = !v.flat && !first.flat && v.shape.rows == first.shape.rows && v.shape.cols == first.shape.cols;
        if (!vector_ok && !map_ok)
            fail(n, "input " + quote_name(nd.input(static_cast<int>(k))) + " " + dims_text(onnx_dims(v)) + " and input " +
                        quote_name(nd.input(0)) + " " + dims_text(onnx_dims(first)) +
                        " cannot be concatenated along the channels in hass (rows and columns must agree)");
    }
    if (xs.size() == 1) {
        define(n, 0, first);
        return;
    }
    layer l;
    l.type = layer_type::concat;
    l.in = first.shape;
    l.out = first.shape;
    l.out.channels = 0;
    for (const value& v : xs) {
        l.inputs.push_back(v.producer);
        l.out.channels += v.shape.channels;
    }
    const int idx = add_layer(std::move(l), n, nd.output(0));
    define(n, 0, layer_output(idx, n, first.flat));
}

void importer::flatten(int n) {
    check_attributes(n, {"axis"});
    check_inputs(n, 1, 1);
    const value x = activation(n, 0, "input");
    const std::int64_t rank = x.flat ? 2 : 4;
    std::int64_t axis = attr_int(n, "axis", 1);
    if (axis < 0) axis += rank;
    if (axis != 0 && axis != 1)
        fail(n, "axis " + std::to_string(attr_int(n, "axis", 1)) + " of an input of rank " + std::to_string(rank) +
                    ": hass flattens a feature map to a vector [1, N] only (axis 1)");
    value v = x;
    v.flat = true;
    define(n, 0, v);
}

void importer::reshape(int n) {
    check_attributes(n, {"allowzero"});
    check_inputs(n, 2, 2);
    const value x = activation(n, 0, "data");
    const std::vector<std::int64_t> s = int_values(constant(n, 1, "shape"));
    const std::vector<std::int64_t> in = onnx_dims(x);
    std::string why;
    const auto out = reshape_dims(in, s, attr_int(n, "allowzero", 0) != 0, why);
    if (!out) fail(n, why);
    value v = x;
    if (*out == in) {
        define(n, 0, v);
        return;
    }
    if (out->size() == 2 && (*out)[0] == 1) {
        v.flat = true;
        define(n, 0, v);
        return;
    }
    fail(n, "reshapes " + dims_text(in) + " to " + dims_text(*out) +
                "; hass has no reshape layer: it reads reshapes to a vector [1, N] (flattening) only");
}

void importer::pad(int n) {
    std::vector<std::int64_t> pads;
    std::string mode;
    double fill = 0;
    if (opset_ < 11) {
        check_attributes(n, {"mode", "pads", "value"});
        check_inputs(n, 1, 1);
        const auto p = attr_ints(n, "pads");
        if (!p) fail(n, "attribute 'pads' is missing");
        pads = *p;
        fill = attr_float(n, "value", 0.0f);
    } else {
        check_attributes(n, {"mode"});
        check_inputs(n, 2, 4);
        pads = int_values(constant(n, 1, "pads"));
        if (has_input(n, 2)) {
            const std::vector<float> v = float_values(constant(n, 2, "constant_value"));
            if (v.size() != 1) fail(n, "constant_value must be a scalar");
            fill = v[0];
        }
        if (has_input(n, 3)) {
            // opset 18: pads for the listed axes only
            const std::vector<std::int64_t> axes = int_values(constant(n, 3, "axes"));
            if (pads.size() != 2 * axes.size())
                fail(n, "pads " + dims_text(pads) + " must have two entries per axis of " + dims_text(axes));
            std::vector<std::int64_t> full(8, 0);
            for (std::size_t i = 0; i < axes.size(); ++i) {
                std::int64_t ax = axes[i] < 0 ? axes[i] + 4 : axes[i];
                if (ax < 0 || ax > 3) fail(n, "axes " + dims_text(axes) + " name an axis outside 0..3");
                full[static_cast<std::size_t>(ax)] = pads[i];
                full[static_cast<std::size_t>(ax + 4)] = pads[i + axes.size()];
            }
            pads = full;
        }
    }
    mode = attr_string(n, "mode", "constant");
    if (mode != "constant")
        fail(n, "mode " + quote_name(mode) + ": hass folds constant zero padding only (mode 'constant')");
    if (fill != 0) fail(n, "pads with the value " + number_text(fill) + "; hass folds zero padding only");
    const value& x0 = input(n, 0, "data");
    if (x0.k == value::kind::constant) (void)activation(n, 0, "data");
    if (x0.k != value::kind::padded) (void)spatial(n, 0, "data", false);
    const value x = x0;
    if (pads.size() != 8)
        fail(n, "pads " + dims_text(pads) + " must have 8 entries for a 4-D input [1, C, H, W]");
    for (auto p : pads)
        if (p < 0) fail(n, "pads " + dims_text(pads) + " are negative (cropping is not supported)");
    if (pads[0] || pads[1] || pads[4] || pads[5])
        fail(n, "pads " + dims_text(pads) + " pad the batch or channel axis; hass folds spatial padding only");
    for (auto p : pads)
        if (p > max_dimension) fail(n, "pads " + dims_text(pads) + " are too large");
    for (int r : readers(g_.node(n).output(0))) {
        const std::string op = r < 0 ? std::string() : g_.node(r).op_type();
        if (op != "Conv" && op != "MaxPool" && op != "AveragePool" && op != "Pad")
            fail(n, "its output " + quote_name(g_.node(n).output(0)) + " is read by " +
                        (r < 0 ? std::string("the graph output") : "node " + node_label(r) + " (" + node_op(r) + ")") +
                        "; hass folds a Pad into the Conv, MaxPool or AveragePool after it only");
    }
    value v = x;
    v.k = value::kind::padded;
    v.pad[0] += pads[2]; // top
    v.pad[1] += pads[3]; // left
    v.pad[2] += pads[6]; // bottom
    v.pad[3] += pads[7]; // right
    v.pad_node = n;
    define(n, 0, v);
}

void importer::constant_node(int n) {
    check_attributes(n, {"value", "value_float", "value_floats", "value_int", "value_ints", "sparse_value",
                         "value_string", "value_strings"});
    const NodeProto& nd = g_.node(n);
    if (nd.attribute_size() != 1) fail(n, "a Constant takes exactly one value attribute");
    if (nd.output_size() < 1 || nd.output(0).empty()) fail(n, "has no output");
    const AttributeProto& a = nd.attribute(0);
    TensorProto t;
    if (a.name() == "value") {
        if (a.type() != AttributeProto::TENSOR) fail(n, "attribute 'value' must be a tensor");
        t = a.t();
    } else if (a.name() == "value_float") {
        t.set_data_type(TensorProto::FLOAT);
        t.add_float_data(attr_float(n, "value_float", 0));
    } else if (a.name() == "value_floats") {
        if (a.type() != AttributeProto::FLOATS) fail(n, "attribute 'value_floats' must be a list of floats");
        t.set_data_type(TensorProto::FLOAT);
        t.add_dims(a.floats_size());
        for (float f : a.floats()) t.add_float_data(f);
    } else if (a.name() == "value_int") {
        t.set_data_type(TensorProto::INT64);
        t.add_int64_data(attr_int(n, "value_int", 0));
    } else if (a.name() == "value_ints") {
        const auto v = attr_ints(n, "value_ints");
        t.set_data_type(TensorProto::INT64);
        t.add_dims(static_cast<std::int64_t>(v->size()));
        for (auto i : *v) t.add_int64_data(i);
    } else {
        fail(n, "attribute " + quote_name(a.name()) + ": hass reads dense numeric constants only");
    }
    t.set_name(nd.output(0));
    owned_.push_back(std::move(t));
    value v;
    v.k = value::kind::constant;
    v.tensor = &owned_.back();
    define(n, 0, v);
}

void importer::define_constant(int n, TensorProto t) {
    t.set_name(g_.node(n).output(0));
    owned_.push_back(std::move(t));
    value v;
    v.k = value::kind::constant;
    v.tensor = &owned_.back();
    define(n, 0, v);
}

/// Evaluates a shape or padding computation whose inputs are all constants (Shape:
/// whose input has a static shape). Returns false when an input is a feature
/// map (Concat and Reshape then build layers; the others are errors).
bool importer::fold(int n) {
    const NodeProto& nd = g_.node(n);
    const std::string& op = nd.op_type();
    if (nd.output_size() < 1 || nd.output(0).empty()) fail(n, "has no output");
    std::vector<ctensor> in(static_cast<std::size_t>(nd.input_size()));
    std::vector<bool> given(static_cast<std::size_t>(nd.input_size()), false);
    if (op == "Shape") {
        check_attributes(n, {"start", "end"});
        check_inputs(n, 1, 1);
        const value x = activation(n, 0, "data");
        const std::vector<std::int64_t> d = onnx_dims(x);
        const auto r = static_cast<std::int64_t>(d.size());
        auto clampi = [r](std::int64_t v) { return std::clamp<std::int64_t>(v < 0 ? v + r : v, 0, r); };
        const std::int64_t b = clampi(attr_int(n, "start", 0)), e = clampi(attr_int(n, "end", r));
        ctensor c;
        for (std::int64_t k = b; k < e; ++k) c.i.push_back(d[static_cast<std::size_t>(k)]);
        c.dims = {static_cast<std::int64_t>(c.i.size())};
        define_constant(n, to_proto(c));
        return true;
    }
    for (int k = 0; k < nd.input_size(); ++k) {
        if (nd.input(k).empty()) continue;
        auto it = values_.find(nd.input(k));
        if (it == values_.end() || it->second.k != value::kind::constant) {
            if (op == "Concat" || op == "Reshape") return false;
            (void)input(n, k, "input"); // a missing input: its own message
            fail(n, "input " + quote_name(nd.input(k)) + " is a feature map; " + rejection_reason(op));
        }
        in[static_cast<std::size_t>(k)] = read_ctensor(constant(n, k, "input"));
        given[static_cast<std::size_t>(k)] = true;
    }
    auto need = [&](int k, const char* role) -> const ctensor& {
        if (k >= nd.input_size() || !given[static_cast<std::size_t>(k)])
            fail(n, "input " + std::to_string(k) + " (" + role + ") is missing");
        return in[static_cast<std::size_t>(k)];
    };
    auto ints_of = [&](const ctensor& c, const char* role) {
        if (c.floating) fail(n, std::string(role) + " must be an integer tensor");
        return c.i;
    };
    auto checked = [&](ctensor c) {
        if (fold_count(c.dims) < 0 || static_cast<std::int64_t>(c.size()) != fold_count(c.dims))
            fail(n, "the result " + dims_text(c.dims) + " is too large to evaluate (more than 65,536 elements)");
        folded_elements_ += static_cast<std::int64_t>(c.size());
        if (folded_elements_ > 16 * max_folded)
            fail(n, "the model's constant computations hold more than 2^20 elements in all; hass evaluates small "
                    "shape and padding computations only");
        return c;
    };
    auto axis_of = [&](std::int64_t axis, std::size_t rank, const char* what) {
        const auto r = static_cast<std::int64_t>(rank);
        if (axis < -r || axis >= r)
            fail(n, std::string(what) + " " + std::to_string(axis) + " is outside a tensor of rank " + std::to_string(r));
        return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
    };
    ctensor out;
    if (op == "Cast") {
        check_attributes(n, {"to", "saturate"});
        check_inputs(n, 1, 1);
        const ctensor& x = need(0, "input");
        const std::int64_t to = attr_int(n, "to", 0);
        out.dims = x.dims;
        if (to == TensorProto::FLOAT || to == TensorProto::DOUBLE || to == TensorProto::FLOAT16 ||
            to == TensorProto::BFLOAT16) {
            out.floating = true;
            if (x.floating)
                out.f = x.f;
            else
                for (std::int64_t v : x.i) out.f.push_back(static_cast<double>(v));
        } else if (to == TensorProto::INT64 || to == TensorProto::INT32 || to == TensorProto::INT16 ||
                   to == TensorProto::INT8 || to == TensorProto::UINT8 || to == TensorProto::BOOL) {
            if (!x.floating) {
                out.i = x.i;
            } else {
                for (double v : x.f) {
                    if (!std::isfinite(v) || std::abs(v) > 9.0e18) fail(n, "casts " + number_text(v) + " to an integer");
                    out.i.push_back(to == TensorProto::BOOL ? (v != 0 ? 1 : 0) : static_cast<std::int64_t>(v));
                }
            }
        } else {
            fail(n, "casts to data type " + data_type_name(static_cast<int>(to)) + ", which hass does not evaluate");
        }
    } else if (op == "ConstantOfShape") {
        check_attributes(n, {"value"});
        check_inputs(n, 1, 1);
        const std::vector<std::int64_t> shape = ints_of(need(0, "input"), "the shape");
        const std::int64_t count = fold_count(shape);
        if (count < 0) fail(n, "shape " + dims_text(shape) + " is negative or too large to evaluate");
        out.dims = shape;
        ctensor fill;
        fill.floating = true;
        fill.f = {0.0};
        if (const AttributeProto* a = attribute(n, "value")) {
            if (a->type() != AttributeProto::TENSOR) fail(n, "attribute 'value' must be a tensor");
            fill = read_ctensor({&a->t(), node_where(n) + ": attribute 'value'"});
            if (fill.size() != 1) fail(n, "attribute 'value' must hold one element");
        }
        out.floating = fill.floating;
        if (fill.floating)
            out.f.assign(static_cast<std::size_t>(count), fill.f[0]);
        else
            out.i.assign(static_cast<std::size_t>(count), fill.i[0]);
    } else if (op == "Concat") {
        check_attributes(n, {"axis"});
        if (nd.input_size() < 1) fail(n, "has no inputs");
        const ctensor& first = need(0, "input");
        if (first.dims.empty()) fail(n, "concatenates scalars");
        const std::size_t axis = axis_of(attr_int(n, "axis", 0), first.dims.size(), "axis");
        out.dims = first.dims;
        out.dims[axis] = 0;
        out.floating = first.floating;
        for (int k = 0; k < nd.input_size(); ++k) {
            const ctensor& c = need(k, "input");
            if (c.floating != first.floating || c.dims.size() != first.dims.size())
                fail(n, "input " + std::to_string(k) + " differs in type or rank from input 0");
            for (std::size_t a = 0; a < c.dims.size(); ++a)
                if (a != axis && c.dims[a] != first.dims[a])
                    fail(n, "input " + std::to_string(k) + " " + dims_text(c.dims) + " does not match input 0 " +
                                dims_text(first.dims) + " outside axis " + std::to_string(axis));
            out.dims[axis] += c.dims[axis];
        }
        if (fold_count(out.dims) < 0) fail(n, "the result is too large to evaluate");
        std::int64_t outer = 1;
        for (std::size_t a = 0; a < axis; ++a) outer *= first.dims[a];
        for (std::int64_t o = 0; o < outer; ++o)
            for (int k = 0; k < nd.input_size(); ++k) {
                const ctensor& c = in[static_cast<std::size_t>(k)];
                const std::int64_t block = outer == 0 ? 0 : static_cast<std::int64_t>(c.size()) / outer;
                for (std::int64_t e = 0; e < block; ++e) {
                    const auto at = static_cast<std::size_t>(o * block + e);
                    if (c.floating)
                        out.f.push_back(c.f[at]);
                    else
                        out.i.push_back(c.i[at]);
                }
            }
    } else if (op == "Reshape") {
        check_attributes(n, {"allowzero"});
        check_inputs(n, 2, 2);
        out = need(0, "data");
        std::string why;
        const auto d = reshape_dims(out.dims, ints_of(need(1, "shape"), "the shape"), attr_int(n, "allowzero", 0) != 0, why);
        if (!d) fail(n, why);
        out.dims = *d;
    } else if (op == "Squeeze" || op == "Unsqueeze") {
        const bool squeeze = op == "Squeeze";
        std::optional<std::vector<std::int64_t>> axes;
        if (opset_ < 13) {
            check_attributes(n, {"axes"});
            check_inputs(n, 1, 1);
            axes = attr_ints(n, "axes");
        } else {
            check_attributes(n, {});
            check_inputs(n, 1, 2);
            if (nd.input_size() > 1 && given[1]) axes = ints_of(in[1], "axes");
        }
        out = need(0, "data");
        const std::vector<std::int64_t> d = out.dims;
        if (squeeze) {
            std::vector<bool> drop(d.size(), false);
            if (axes) {
                for (std::int64_t a : *axes) {
                    const std::size_t ax = axis_of(a, d.size(), "axis");
                    if (d[ax] != 1) fail(n, "squeezes axis " + std::to_string(a) + " of " + dims_text(d) + ", which is not 1");
                    drop[ax] = true;
                }
            } else {
                for (std::size_t a = 0; a < d.size(); ++a) drop[a] = d[a] == 1;
            }
            out.dims.clear();
            for (std::size_t a = 0; a < d.size(); ++a)
                if (!drop[a]) out.dims.push_back(d[a]);
        } else {
            if (!axes) fail(n, "axes are missing");
            const std::size_t rank = d.size() + axes->size();
            if (rank > 16) fail(n, "the result would have rank " + std::to_string(rank));
            std::vector<bool> one(rank, false);
            for (std::int64_t a : *axes) {
                const std::size_t ax = axis_of(a, rank, "axis");
                if (one[ax]) fail(n, "axes " + dims_text(*axes) + " repeat an axis");
                one[ax] = true;
            }
            out.dims.clear();
            std::size_t src = 0;
            for (std::size_t a = 0; a < rank; ++a) out.dims.push_back(one[a] ? 1 : d[src++]);
        }
    } else if (op == "Transpose") {
        check_attributes(n, {"perm"});
        check_inputs(n, 1, 1);
        const ctensor& x = need(0, "data");
        const std::size_t r = x.dims.size();
        std::vector<std::int64_t> perm(r);
        for (std::size_t a = 0; a < r; ++a) perm[a] = static_cast<std::int64_t>(r - 1 - a);
        if (auto p = attr_ints(n, "perm")) perm = *p;
        std::vector<bool> seen(r, false);
        if (perm.size() != r) fail(n, "perm " + dims_text(perm) + " does not fit a tensor of rank " + std::to_string(r));
        for (std::int64_t a : perm) {
            if (a < 0 || a >= static_cast<std::int64_t>(r) || seen[static_cast<std::size_t>(a)])
                fail(n, "perm " + dims_text(perm) + " is not a permutation");
            seen[static_cast<std::size_t>(a)] = true;
        }
        std::vector<std::int64_t> od(r);
        for (std::size_t a = 0; a < r; ++a) od[a] = x.dims[static_cast<std::size_t>(perm[a])];
        const auto istride = strides_of(x.dims);
        // an output index o maps to the input offset sum_a o[a] * istride[perm[a]]
        std::vector<std::int64_t> idx{0};
        for (std::size_t a = 0; a < r; ++a) {
            std::vector<std::int64_t> next;
            for (std::int64_t base : idx)
                for (std::int64_t k = 0; k < od[a]; ++k) next.push_back(base + k * istride[static_cast<std::size_t>(perm[a])]);
            idx = std::move(next);
        }
        out = gather_flat(x, idx, od);
    } else if (op == "Slice") {
        std::vector<std::int64_t> starts, ends, axes, steps;
        if (opset_ < 10) {
            check_attributes(n, {"starts", "ends", "axes"});
            check_inputs(n, 1, 1);
            starts = attr_ints(n, "starts").value_or(std::vector<std::int64_t>{});
            ends = attr_ints(n, "ends").value_or(std::vector<std::int64_t>{});
            axes = attr_ints(n, "axes").value_or(std::vector<std::int64_t>{});
        } else {
            check_attributes(n, {});
            check_inputs(n, 3, 5);
            starts = ints_of(need(1, "starts"), "starts");
            ends = ints_of(need(2, "ends"), "ends");
            if (nd.input_size() > 3 && given[3]) axes = ints_of(in[3], "axes");
            if (nd.input_size() > 4 && given[4]) steps = ints_of(in[4], "steps");
        }
        const ctensor& x = need(0, "data");
        if (starts.size() != ends.size() || (!axes.empty() && axes.size() != starts.size()) ||
            (!steps.empty() && steps.size() != starts.size()))
            fail(n, "starts, ends, axes and steps differ in length");
        std::vector<std::vector<std::int64_t>> sel(x.dims.size());
        for (std::size_t a = 0; a < x.dims.size(); ++a)
            for (std::int64_t k = 0; k < x.dims[a]; ++k) sel[a].push_back(k);
        std::vector<bool> done(x.dims.size(), false);
        for (std::size_t i = 0; i < starts.size(); ++i) {
            const std::size_t ax = axis_of(axes.empty() ? static_cast<std::int64_t>(i) : axes[i], x.dims.size(), "axis");
            if (done[ax]) fail(n, "axes repeat axis " + std::to_string(ax));
            done[ax] = true;
            const std::int64_t dim = x.dims[ax];
            std::int64_t step = steps.empty() ? 1 : steps[i];
            if (step == 0) fail(n, "a step is 0");
            // a step beyond the axis selects one element, as any larger one (and keeps k += step in range)
            step = step > 0 ? std::min(step, dim + 1) : std::max(step, -(dim + 1));
            std::int64_t b = starts[i], e = ends[i];
            if (b < 0) b = b < -dim ? 0 : b + dim;
            if (e < 0) e = e < -dim ? -1 : e + dim;
            sel[ax].clear();
            if (step > 0) {
                b = std::clamp<std::int64_t>(b, 0, dim);
                e = std::clamp<std::int64_t>(e, 0, dim);
                for (std::int64_t k = b; k < e; k += step) sel[ax].push_back(k);
            } else {
                b = std::clamp<std::int64_t>(b, 0, dim - 1);
                e = std::clamp<std::int64_t>(e, -1, dim - 1);
                for (std::int64_t k = b; k > e; k += step) sel[ax].push_back(k);
            }
        }
        std::vector<std::int64_t> od;
        for (const auto& s : sel) od.push_back(static_cast<std::int64_t>(s.size()));
        out = gather_flat(x, select_indices(x.dims, sel), od);
    } else if (op == "Gather") {
        check_attributes(n, {"axis"});
        check_inputs(n, 2, 2);
        const ctensor& x = need(0, "data");
        const std::vector<std::int64_t> idx = ints_of(need(1, "indices"), "indices");
        if (x.dims.empty()) fail(n, "gathers from a scalar");
        const std::size_t ax = axis_of(attr_int(n, "axis", 0), x.dims.size(), "axis");
        std::vector<std::vector<std::int64_t>> sel(x.dims.size());
        for (std::size_t a = 0; a < x.dims.size(); ++a)
            for (std::int64_t k = 0; k < x.dims[a]; ++k) sel[a].push_back(k);
        sel[ax].clear();
        for (std::int64_t k : idx) {
            const std::int64_t j = k < 0 ? k + x.dims[ax] : k;
            if (j < 0 || j >= x.dims[ax])
                fail(n, "index " + std::to_string(k) + " is outside axis " + std::to_string(ax) + " of " + dims_text(x.dims));
            sel[ax].push_back(j);
        }
        std::vector<std::int64_t> od(x.dims.begin(), x.dims.begin() + static_cast<std::ptrdiff_t>(ax));
        const std::vector<std::int64_t>& id = in[1].dims;
        od.insert(od.end(), id.begin(), id.end());
        od.insert(od.end(), x.dims.begin() + static_cast<std::ptrdiff_t>(ax) + 1, x.dims.end());
        std::vector<std::int64_t> sd;
        for (const auto& s : sel) sd.push_back(static_cast<std::int64_t>(s.size()));
        if (fold_count(sd) < 0) fail(n, "the result is too large to evaluate");
        out = gather_flat(x, select_indices(x.dims, sel), od);
    } else {
        return false;
    }
    define_constant(n, to_proto(checked(std::move(out))));
    return true;
}

void importer::alias(int n) {
    const NodeProto& nd = g_.node(n);
    if (nd.op_type() == "Identity") {
        check_attributes(n, {});
        check_inputs(n, 1, 1);
    } else {
        check_attributes(n, {"ratio", "seed", "is_test"});
        check_inputs(n, 1, 3);
        require_unused_outputs(n, 1);
        if (has_input(n, 2)) {
            const value& tm = input(n, 2, "training_mode");
            if (tm.k != value::kind::constant)
                fail(n, "training_mode is computed by the graph; hass removes Dropout in inference mode only");
            const tensor_ref r{tm.tensor, node_where(n) + ": training_mode " + quote_name(nd.input(2))};
            if (r.t->data_type() != TensorProto::BOOL || tensor_elements(r) != 1)
                fail(n, "training_mode " + quote_name(nd.input(2)) + " must be a boolean scalar");
            check_storage(r);
            const bool on = r.t->has_raw_data() ? (!r.t->raw_data().empty() && r.t->raw_data()[0] != 0)
                                                : (r.t->int32_data_size() > 0 && r.t->int32_data(0) != 0);
            if (on) fail(n, "training_mode is true; hass removes Dropout in inference mode only");
        }
    }
    const value& x = input(n, 0, "input");
    define(n, 0, x);
    ++removed_aliases_;
}

// ----------------------------------------------------------------------------
// Shapes against ONNX
// ----------------------------------------------------------------------------

/// The model ONNX shape inference runs on: the graph input, the live nodes (all
/// accepted by the importer) and the initializers they read, float tensors of
/// more than 1024 elements without their data (inference needs their type and
/// dimensions only). Nodes the importer never looked at stay out: libonnx's
/// inference is not robust against malformed nodes (the fuzzer found a crash in
/// its Conv inference on a dead node with weights of rank 250).
onnx::ModelProto importer::inference_model() const {
    onnx::ModelProto m;
    m.set_ir_version(model_.ir_version());
    *m.mutable_opset_import() = model_.opset_import();
    onnx::GraphProto* g = m.mutable_graph();
    *g->add_input() = *input_info_;
    std::set<std::string, std::less<>> read;
    for (int n = 0; n < g_.node_size(); ++n) {
        if (!live_[static_cast<std::size_t>(n)]) continue;
        *g->add_node() = g_.node(n);
        for (const auto& in : g_.node(n).input()) read.insert(in);
    }
    for (const auto& t : g_.initializer()) {
        if (!read.count(t.name())) continue;
        onnx::TensorProto* c = g->add_initializer();
        const bool big_float = t.data_type() != TensorProto::INT64 && t.data_type() != TensorProto::INT32 &&
                               (t.raw_data().size() > 4096 || t.float_data_size() > 1024 || t.int32_data_size() > 1024);
        if (big_float) {
            c->set_name(t.name());
            c->set_data_type(t.data_type());
            *c->mutable_dims() = t.dims();
        } else {
            *c = t;
        }
    }
    for (const auto& o : g_.output()) g->add_output()->set_name(o.name());
    return m;
}

void importer::check_shapes() {
    // the tensors hass computes: every node output that is an activation value
    struct want {
        std::string tensor;
        int node;
        std::vector<std::int64_t> dims;
    };
    std::vector<want> wants;
    for (int n = 0; n < g_.node_size(); ++n) {
        if (!live_[static_cast<std::size_t>(n)]) continue;
        const NodeProto& nd = g_.node(n);
        if (nd.output_size() < 1) continue;
        auto it = values_.find(nd.output(0));
        if (it == values_.end() || it->second.k != value::kind::activation) continue;
        wants.push_back({nd.output(0), n, onnx_dims(it->second)});
    }
    res_.shapes_total = wants.size();
    if (!opt_.check_shapes) return;
    auto has_shape = [](const onnx::ValueInfoProto& vi) {
        return vi.has_type() && vi.type().has_tensor_type() && vi.type().tensor_type().has_shape();
    };
    // the shapes the file declares, then ONNX's inference for the others
    std::map<std::string, onnx::TensorShapeProto, std::less<>> shapes;
    for (const auto& vi : g_.value_info())
        if (has_shape(vi)) shapes.emplace(vi.name(), vi.type().tensor_type().shape());
    for (const auto& vi : g_.output())
        if (has_shape(vi)) shapes.emplace(vi.name(), vi.type().tensor_type().shape());
    bool missing = false;
    for (const auto& w : wants)
        if (!shapes.count(w.tensor)) missing = true;
    if (missing) {
        onnx::ModelProto m = inference_model();
        try {
            onnx::ShapeInferenceOptions so;
            onnx::shape_inference::InferShapes(m, onnx::OpSchemaRegistry::Instance(), so);
        } catch (const std::exception& e) {
            res_.notes.push_back("ONNX shape inference failed (" + printable(e.what(), 300) +
                                 "); shapes were checked where the file declares them");
        }
        for (const auto& vi : m.graph().value_info())
            if (has_shape(vi)) shapes.emplace(vi.name(), vi.type().tensor_type().shape());
        for (const auto& vi : m.graph().output())
            if (has_shape(vi)) shapes.emplace(vi.name(), vi.type().tensor_type().shape());
    }
    for (const auto& w : wants) {
        auto it = shapes.find(w.tensor);
        if (it == shapes.end()) continue;
        std::vector<std::int64_t> got;
        for (const auto& d : it->second.dim()) got.push_back(d.has_dim_value() ? d.dim_value() : -1);
        bool match = got.size() == w.dims.size();
        for (std::size_t i = 0; match && i < got.size(); ++i) match = got[i] < 0 || got[i] == w.dims[i];
        if (!match) {
            std::string g = "[";
            for (std::size_t i = 0; i < got.size(); ++i)
                g += (i ? ", " : "") + (got[i] < 0 ? std::string("?") : std::to_string(got[i]));
            fail(w.node, "output " + quote_name(w.tensor) + " has shape " + g + "] in ONNX but hass computes " +
                             dims_text(w.dims));
        }
        ++res_.shapes_checked;
    }
}

// ----------------------------------------------------------------------------
// The whole import
// ----------------------------------------------------------------------------

result importer::run() {
    read_header();
    read_initializers();
    read_graph_input();
    prepass();
    for (int n = 0; n < g_.node_size(); ++n)
        if (live_[static_cast<std::size_t>(n)]) node(n);
    for (const auto& o : g_.output()) {
        auto it = values_.find(o.name());
        if (it == values_.end()) fail("graph output " + quote_name(o.name()) + " is not computed by any node");
        if (it->second.k == value::kind::constant) fail("graph output " + quote_name(o.name()) + " is a constant");
        if (it->second.k == value::kind::padded)
            fail("graph output " + quote_name(o.name()) + " is the output of a Pad, which hass folds into the next layer");
        if (it->second.producer == network_input)
            fail("graph output " + quote_name(o.name()) + " is the graph input itself");
        if (readers(o.name()).size() > 1)
            res_.warnings.push_back(src_ + ": graph output " + quote_name(o.name()) +
                                    " is also read inside the network; hass's outputs are the layers no other layer "
                                    "reads (the generated HLS top has no output port for it)");
    }
    if (net_.layers.empty()) fail("the graph has no layers hass models (no Conv, Gemm, pooling, activation, ...)");
    if (removed_aliases_ > 0)
        res_.notes.push_back("removed " + std::to_string(removed_aliases_) + " Identity/Dropout node" +
                             (removed_aliases_ == 1 ? "" : "s"));
    check_shapes();

    // the weights by layer name, checked (finite, counts) against the network before splits
    for (std::size_t i = 0; i < net_.layers.size(); ++i)
        if (net_.layers[i].has_weights()) res_.weights.emplace(net_.layers[i].name.str(), std::move(lw_[i]));
    hls::check_weights(res_.weights, net_, src_); // finite values, counts
    try {
        res_.net = insert_splits(net_);
        validate(res_.net);
    } catch (const error& e) {
        fail(e.what());
    }
    return std::move(res_);
}

} // namespace

const std::vector<std::string_view>& supported_operators() { return supported_list(); }

result import_model(std::string_view bytes, std::string_view source, const options& o) {
    const std::string src(source.empty() ? std::string_view("model") : source);
    if (bytes.empty()) throw error(src + ": the file is empty (not an ONNX model)");
    if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw error(src + ": the file is larger than 2 GiB (models that large keep their weights in external data, "
                          "which hass does not read)");
    onnx::ModelProto model;
    if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        throw error(src + ": not a valid ONNX model (the protobuf message does not parse; a truncated or "
                          "non-ONNX file?)");
    importer imp(model, src, o);
    return imp.run();
}

result import_file(const std::filesystem::path& path, const options& o) {
    const std::string file = path.string();
    // a regular file within protobuf's 2 GiB message limit (not a directory or a device)
    const std::string bytes = hass::io::read_bounded_file(path, (std::uintmax_t{2} << 30) - 1, "an ONNX model");
    options opt = o;
    if (opt.name.empty()) opt.name = path.stem().string();
    return import_model(bytes, file, opt);
}

} // namespace hass::onnx_import
