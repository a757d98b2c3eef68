// A structure-aware mutator for the ONNX fuzz target: half of the mutations
// parse the input as a ModelProto and change one semantic field (an attribute
// value, an operator, a tensor name, a dimension, a data type, the opset, a node
// added or removed), so that the fuzzer reaches the importer's operator code
// and not only the protobuf parser; the other half are libFuzzer's byte-level
// mutations. Used by the libFuzzer build only (it calls LLVMFuzzerMutate).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace hass_fuzz {

inline std::int64_t interesting_int(std::mt19937_64& rng) {
    static const std::int64_t values[] = {0,  1,  2,  3,  -1, -2, 4,  6,   7,   8,       16,         255, 256, 1 << 24,
                                          (1 << 24) + 1, std::numeric_limits<std::int32_t>::max(),
                                          std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(),
                                          std::numeric_limits<std::int64_t>::min() + 1, -9, 100000};
    return values[rng() % (sizeof values / sizeof values[0])];
}

inline float interesting_float(std::mt19937_64& rng) {
    static const float values[] = {0.0f, 1.0f, -1.0f, 6.0f, 0.5f, 1.0f / 6.0f, 0.2f, 1e-5f, 1e30f, -1e30f,
                                   std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                                   std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::max(),
                                   std::numeric_limits<float>::lowest(), std::numeric_limits<float>::denorm_min()};
    return values[rng() % (sizeof values / sizeof values[0])];
}

inline const char* interesting_op(std::mt19937_64& rng) {
    static const char* ops[] = {"Conv", "Gemm", "MatMul", "Relu", "Clip", "MaxPool", "AveragePool",
                                "GlobalAveragePool", "GlobalMaxPool", "Add", "Mul", "Concat", "Flatten", "Reshape",
                                "HardSwish", "HardSigmoid", "Sigmoid", "BatchNormalization", "Pad", "Identity",
                                "Dropout", "Constant", "Shape", "Gather", "Unsqueeze", "Squeeze", "Slice", "Transpose",
                                "Cast", "ConstantOfShape", "LeakyRelu", ""};
    return ops[rng() % (sizeof ops / sizeof ops[0])];
}

inline const char* interesting_attribute(std::mt19937_64& rng) {
    static const char* names[] = {"group", "pads", "strides", "dilations", "kernel_shape", "auto_pad", "axis",
                                  "transA", "transB", "alpha", "beta", "min", "max", "epsilon", "ceil_mode",
                                  "count_include_pad", "perm", "axes", "to", "value", "mode", "allowzero",
                                  "training_mode", "start", "end", "starts", "ends", "value_ints", "value_float"};
    return names[rng() % (sizeof names / sizeof names[0])];
}

inline void mutate_attribute(onnx::AttributeProto& a, std::mt19937_64& rng) {
    static const char* strings[] = {"NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER", "constant", "reflect", "", "x"};
    switch (rng() % 4) {
    case 0: a.set_type(static_cast<onnx::AttributeProto::AttributeType>(rng() % 11)); break;
    default: break;
    }
    switch (a.type()) {
    case onnx::AttributeProto::INT: a.set_i(interesting_int(rng)); break;
    case onnx::AttributeProto::INTS:
        if (a.ints_size() == 0 || rng() % 4 == 0) {
            a.add_ints(interesting_int(rng));
        } else if (rng() % 4 == 0) {
            a.mutable_ints()->RemoveLast();
        } else {
            a.set_ints(static_cast<int>(rng() % static_cast<std::uint64_t>(a.ints_size())), interesting_int(rng));
        }
        break;
    case onnx::AttributeProto::FLOAT: a.set_f(interesting_float(rng)); break;
    case onnx::AttributeProto::FLOATS: a.add_floats(interesting_float(rng)); break;
    case onnx::AttributeProto::STRING: a.set_s(strings[rng() % 8]); break;
    case onnx::AttributeProto::TENSOR: {
        onnx::TensorProto* t = a.mutable_t();
        t->set_data_type(static_cast<int>(rng() % 17));
        if (rng() % 2) t->add_dims(interesting_int(rng));
        break;
    }
    default: a.set_i(interesting_int(rng)); break;
    }
}

/// One semantic change of a model; false when the input is not a ModelProto.
inline bool mutate_model(onnx::ModelProto& m, std::mt19937_64& rng) {
    onnx::GraphProto* g = m.mutable_graph();
    std::vector<std::string> names;
    for (const auto& i : g->input()) names.push_back(i.name());
    for (const auto& t : g->initializer()) names.push_back(t.name());
    for (const auto& n : g->node())
        for (const auto& o : n.output()) names.push_back(o);
    const int nodes = g->node_size();
    auto some_node = [&]() -> onnx::NodeProto* {
        return nodes == 0 ? nullptr : g->mutable_node(static_cast<int>(rng() % static_cast<std::uint64_t>(nodes)));
    };
    switch (rng() % 12) {
    case 0:
    case 1:
    case 2: { // an attribute value
        onnx::NodeProto* n = some_node();
        if (!n) return false;
        if (n->attribute_size() == 0 || rng() % 3 == 0) {
            onnx::AttributeProto* a = n->add_attribute();
            a->set_name(interesting_attribute(rng));
            a->set_type(static_cast<onnx::AttributeProto::AttributeType>(1 + rng() % 7));
            mutate_attribute(*a, rng);
        } else {
            mutate_attribute(*n->mutable_attribute(static_cast<int>(rng() % static_cast<std::uint64_t>(n->attribute_size()))), rng);
        }
        return true;
    }
    case 3: { // the operator
        onnx::NodeProto* n = some_node();
        if (!n) return false;
        n->set_op_type(interesting_op(rng));
        return true;
    }
    case 4: { // an input name
        onnx::NodeProto* n = some_node();
        if (!n || names.empty()) return false;
        const std::string& name = rng() % 8 == 0 ? std::string() : names[rng() % names.size()];
        if (n->input_size() == 0 || rng() % 4 == 0)
            n->add_input(name);
        else
            n->set_input(static_cast<int>(rng() % static_cast<std::uint64_t>(n->input_size())), name);
        return true;
    }
    case 5: { // an initializer's dimensions or data type
        if (g->initializer_size() == 0) return false;
        onnx::TensorProto* t = g->mutable_initializer(static_cast<int>(rng() % static_cast<std::uint64_t>(g->initializer_size())));
        if (rng() % 3 == 0) {
            t->set_data_type(static_cast<int>(rng() % 17));
        } else if (t->dims_size() > 0 && rng() % 2) {
            t->set_dims(static_cast<int>(rng() % static_cast<std::uint64_t>(t->dims_size())), interesting_int(rng));
        } else {
            t->add_dims(interesting_int(rng));
        }
        return true;
    }
    case 6: { // the graph input's shape
        if (g->input_size() == 0) return false;
        auto* shape = g->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
        if (shape->dim_size() > 0 && rng() % 4 != 0)
            shape->mutable_dim(static_cast<int>(rng() % static_cast<std::uint64_t>(shape->dim_size())))->set_dim_value(interesting_int(rng));
        else
            shape->add_dim()->set_dim_value(interesting_int(rng));
        return true;
    }
    case 7: { // the opset
        if (m.opset_import_size() == 0) m.add_opset_import();
        m.mutable_opset_import(0)->set_version(static_cast<std::int64_t>(rng() % 21));
        return true;
    }
    case 8: { // a copy of a node, reading an existing tensor, with a fresh output
        onnx::NodeProto* n = some_node();
        if (!n || names.empty()) return false;
        onnx::NodeProto copy = *n;
        copy.clear_output();
        copy.add_output("fuzz_" + std::to_string(rng() % 1000));
        if (copy.input_size() > 0) copy.set_input(0, names[rng() % names.size()]);
        *g->add_node() = copy;
        if (rng() % 2) g->add_output()->set_name(copy.output(0));
        return true;
    }
    case 9: { // a node removed
        if (nodes == 0) return false;
        g->mutable_node()->DeleteSubrange(static_cast<int>(rng() % static_cast<std::uint64_t>(nodes)), 1);
        return true;
    }
    case 10: { // a graph output renamed
        if (g->output_size() == 0 || names.empty()) return false;
        g->mutable_output(static_cast<int>(rng() % static_cast<std::uint64_t>(g->output_size())))->set_name(names[rng() % names.size()]);
        return true;
    }
    default: { // two nodes swapped (topological order)
        if (nodes < 2) return false;
        const int a = static_cast<int>(rng() % static_cast<std::uint64_t>(nodes)), b = static_cast<int>(rng() % static_cast<std::uint64_t>(nodes));
        g->mutable_node()->SwapElements(a, b);
        return true;
    }
    }
}

} // namespace hass_fuzz

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int seed) {
    std::mt19937_64 rng(seed);
    if (rng() % 2 == 0) {
        onnx::ModelProto m;
        if (m.ParseFromArray(data, static_cast<int>(size)) && hass_fuzz::mutate_model(m, rng)) {
            const std::string out = m.SerializeAsString();
            if (out.size() <= max_size) {
                std::memcpy(data, out.data(), out.size());
                return out.size();
            }
        }
    }
    return LLVMFuzzerMutate(data, size, max_size);
}
