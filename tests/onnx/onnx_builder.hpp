// Small ONNX models written directly with the protobuf API, for the importer's
// unit tests: one operator (or a few) at a time, with exactly the attributes,
// data types and storage forms a test needs.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <onnx/onnx_pb.h>

namespace onnx_test {

/// An attribute value for node(): int, ints, float, string or tensor.
struct attr {
    std::string name;
    onnx::AttributeProto a;

    attr(std::string n, std::int64_t v) : name(std::move(n)) {
        a.set_type(onnx::AttributeProto::INT);
        a.set_i(v);
    }
    attr(std::string n, int v) : attr(std::move(n), static_cast<std::int64_t>(v)) {}
    attr(std::string n, std::initializer_list<std::int64_t> v) : name(std::move(n)) {
        a.set_type(onnx::AttributeProto::INTS);
        for (auto x : v) a.add_ints(x);
    }
    attr(std::string n, const std::vector<std::int64_t>& v) : name(std::move(n)) {
        a.set_type(onnx::AttributeProto::INTS);
        for (auto x : v) a.add_ints(x);
    }
    attr(std::string n, float v) : name(std::move(n)) {
        a.set_type(onnx::AttributeProto::FLOAT);
        a.set_f(v);
    }
    attr(std::string n, double v) : attr(std::move(n), static_cast<float>(v)) {}
    attr(std::string n, const char* v) : name(std::move(n)) {
        a.set_type(onnx::AttributeProto::STRING);
        a.set_s(v);
    }
    attr(std::string n, const onnx::TensorProto& t) : name(std::move(n)) {
        a.set_type(onnx::AttributeProto::TENSOR);
        *a.mutable_t() = t;
    }
};

/// A float32 tensor in raw_data (`raw` false: in float_data).
inline onnx::TensorProto float_tensor(const std::string& name, std::vector<std::int64_t> dims, const std::vector<float>& v,
                                      bool raw = true) {
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::FLOAT);
    for (auto d : dims) t.add_dims(d);
    if (raw) {
        std::string bytes(v.size() * 4, '\0');
        for (std::size_t i = 0; i < v.size(); ++i) {
            std::uint32_t u = 0;
            std::memcpy(&u, &v[i], 4);
            for (int b = 0; b < 4; ++b) bytes[4 * i + static_cast<std::size_t>(b)] = static_cast<char>((u >> (8 * b)) & 0xff);
        }
        t.set_raw_data(bytes);
    } else {
        for (float x : v) t.add_float_data(x);
    }
    return t;
}

inline onnx::TensorProto int64_tensor(const std::string& name, std::vector<std::int64_t> dims,
                                      const std::vector<std::int64_t>& v) {
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::INT64);
    for (auto d : dims) t.add_dims(d);
    for (auto x : v) t.add_int64_data(x);
    return t;
}

/// Values 0.1 * ((i * 7) % 13 - 6): deterministic, signed, never all equal.
inline std::vector<float> ramp(std::size_t n, float scale = 0.1f) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = scale * static_cast<float>(static_cast<int>((i * 7) % 13) - 6);
    return v;
}

class model_builder {
public:
    explicit model_builder(std::vector<std::int64_t> input_dims = {1, 3, 8, 8}, std::int64_t opset = 13,
                           std::string input = "x") {
        m_.set_ir_version(8);
        m_.set_producer_name("hass-tests");
        auto* op = m_.add_opset_import();
        op->set_domain("");
        op->set_version(opset);
        g()->set_name("g");
        auto* in = g()->add_input();
        in->set_name(input);
        auto* tt = in->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(onnx::TensorProto::FLOAT);
        for (auto d : input_dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
    }

    onnx::GraphProto* g() { return m_.mutable_graph(); }
    onnx::ModelProto& model() { return m_; }

    onnx::NodeProto& node(const std::string& op, std::vector<std::string> inputs, std::vector<std::string> outputs,
                          std::vector<attr> attrs = {}, const std::string& name = {}) {
        onnx::NodeProto* n = g()->add_node();
        n->set_op_type(op);
        n->set_name(name);
        for (auto& i : inputs) n->add_input(i);
        for (auto& o : outputs) n->add_output(o);
        for (auto& a : attrs) {
            onnx::AttributeProto* p = n->add_attribute();
            *p = a.a;
            p->set_name(a.name);
        }
        return *n;
    }
    model_builder& init(onnx::TensorProto t) {
        *g()->add_initializer() = std::move(t);
        return *this;
    }
    model_builder& init(const std::string& name, std::vector<std::int64_t> dims, const std::vector<float>& v) {
        return init(float_tensor(name, std::move(dims), v));
    }
    model_builder& output(const std::string& name) {
        g()->add_output()->set_name(name);
        return *this;
    }
    /// Declares the shape of a tensor in value_info.
    model_builder& value_info(const std::string& name, std::vector<std::int64_t> dims) {
        auto* vi = g()->add_value_info();
        vi->set_name(name);
        auto* tt = vi->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(onnx::TensorProto::FLOAT);
        for (auto d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
        return *this;
    }
    std::string bytes() const { return m_.SerializeAsString(); }

private:
    onnx::ModelProto m_;
};

} // namespace onnx_test
