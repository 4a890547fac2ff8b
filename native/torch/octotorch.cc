// octotorch: a Node-API addon that trains octolab's sequential models in libtorch.
//
// The network is described by a plain spec (dense / conv2d / maxpool / flatten layers) and
// keeps its parameters in TensorFlow.js layouts (dense kernel [in, out], conv kernel
// [kh, kw, inC, outC], inputs NHWC, flatten in H-W-C order), so that octolab's seeded initial
// weights, projection and checkpoints read and write the same bits on every engine.
// Parameters and optimizer slots are exposed to JavaScript as zero-copy Float32Array views.
// The optimizer (Adam, SGD or SGD with momentum) follows tf.train.adam / tf.train.sgd /
// tf.train.momentum step for step.
#include <node_api.h>
#include <torch/torch.h>

#include <chrono>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

enum class Kind { Dense, Conv2d, MaxPool, Flatten };
enum class Act { Linear, Relu, Softmax };

struct Layer {
  Kind kind;
  Act act = Act::Linear;
  int64_t size = 0;  // conv kernel size or pool size
  int weight = -1;   // index of the kernel in params (bias is weight + 1)
};

struct Net {
  std::vector<Layer> layers;
  std::vector<torch::Tensor> params;
  std::vector<torch::Tensor> m, v;  // Adam moments; m alone holds SGD's momentum accumulators (both empty for plain SGD)
  std::vector<int64_t> inputShape;  // per example
  bool classification = true;
  bool adam = true;
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-7, momentum = 0;
  float accBeta1 = 0.9f, accBeta2 = 0.999f;
  int64_t iterations = 0;
  // Time spent in the phases of step(), in nanoseconds, since the last timers() call.
  int64_t forwardNs = 0, backwardNs = 0, optimizerNs = 0, stepNs = 0, steps = 0;
};

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// ---- small Node-API helpers -------------------------------------------------------------

#define NAPI_CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, nullptr, "octotorch: Node-API call failed: " #call); \
      return nullptr;                                                 \
    }                                                                 \
  } while (0)

napi_value throwError(napi_env env, const std::string& msg) {
  napi_throw_error(env, nullptr, ("octotorch: " + msg).c_str());
  return nullptr;
}

bool getNamed(napi_env env, napi_value obj, const char* key, napi_value* out) {
  bool has = false;
  if (napi_has_named_property(env, obj, key, &has) != napi_ok || !has) return false;
  return napi_get_named_property(env, obj, key, out) == napi_ok;
}

bool getDouble(napi_env env, napi_value obj, const char* key, double* out) {
  napi_value v;
  return getNamed(env, obj, key, &v) && napi_get_value_double(env, v, out) == napi_ok;
}

bool getString(napi_env env, napi_value obj, const char* key, std::string* out) {
  napi_value v;
  if (!getNamed(env, obj, key, &v)) return false;
  char buf[64];
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, buf, sizeof buf, &len) != napi_ok) return false;
  *out = std::string(buf, len);
  return true;
}

bool getFloat32(napi_env env, napi_value value, float** data, size_t* length) {
  bool is = false;
  if (napi_is_typedarray(env, value, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  void* ptr = nullptr;
  napi_value ab;
  size_t offset = 0;
  if (napi_get_typedarray_info(env, value, &type, length, &ptr, &ab, &offset) != napi_ok) return false;
  if (type != napi_float32_array) return false;
  *data = static_cast<float*>(ptr);
  return true;
}

Net* unwrapNet(napi_env env, napi_value value) {
  void* ptr = nullptr;
  if (napi_get_value_external(env, value, &ptr) != napi_ok) return nullptr;
  return static_cast<Net*>(ptr);
}

void finalizeNet(napi_env, void* data, void*) { delete static_cast<Net*>(data); }

// A Float32Array over a tensor's memory; the tensor (hence its storage) lives until V8 frees the view.
void finalizeView(napi_env, void*, void* hint) { delete static_cast<torch::Tensor*>(hint); }

napi_value viewOf(napi_env env, const torch::Tensor& t) {
  auto* keep = new torch::Tensor(t);
  napi_value ab, arr;
  const size_t n = static_cast<size_t>(t.numel());
  if (napi_create_external_arraybuffer(env, t.data_ptr<float>(), n * sizeof(float), finalizeView, keep, &ab) != napi_ok) {
    delete keep;
    return throwError(env, "cannot create an external ArrayBuffer (is the V8 sandbox on?)");
  }
  NAPI_CHECK(napi_create_typedarray(env, napi_float32_array, n, ab, 0, &arr));
  return arr;
}

napi_value viewsOf(napi_env env, const std::vector<torch::Tensor>& ts) {
  napi_value arr;
  NAPI_CHECK(napi_create_array_with_length(env, ts.size(), &arr));
  for (size_t i = 0; i < ts.size(); i++) {
    napi_value view = viewOf(env, ts[i]);
    if (view == nullptr) return nullptr;
    NAPI_CHECK(napi_set_element(env, arr, static_cast<uint32_t>(i), view));
  }
  return arr;
}

// ---- the network ----------------------------------------------------------------------------

torch::Tensor activate(const torch::Tensor& x, Act act) {
  switch (act) {
    case Act::Relu: return torch::relu(x);
    case Act::Softmax: return torch::softmax(x, -1);
    default: return x;
  }
}

// Forward pass from an NHWC (or flat) batch; convolutions run in NCHW inside.
torch::Tensor forward(Net& net, torch::Tensor x) {
  bool nchw = false;
  for (const Layer& l : net.layers) {
    switch (l.kind) {
      case Kind::Dense:
        x = activate(torch::addmm(net.params[l.weight + 1], x, net.params[l.weight]), l.act);
        break;
      case Kind::Conv2d: {
        if (!nchw) {
          x = x.permute({0, 3, 1, 2});
          nchw = true;
        }
        auto w = net.params[l.weight].permute({3, 2, 0, 1});
        x = activate(torch::conv2d(x, w, net.params[l.weight + 1], 1, l.size / 2), l.act);
        break;
      }
      case Kind::MaxPool:
        x = torch::max_pool2d(x, l.size, l.size);
        break;
      case Kind::Flatten:
        if (nchw) {
          x = x.permute({0, 2, 3, 1});
          nchw = false;
        }
        x = x.reshape({x.size(0), -1});
        break;
    }
  }
  return x;
}

// Per-example losses as tf.metrics.categoricalCrossentropy (normalise, clip to [eps, 1-eps]) or squared error.
torch::Tensor lossOf(const Net& net, const torch::Tensor& pred, const torch::Tensor& y) {
  if (net.classification) {
    const double eps = 1e-7;
    auto p = (pred / pred.sum(-1, true)).clamp(eps, 1 - eps);
    return -(y * p.log()).sum(-1);
  }
  return (pred - y).square().mean(-1);
}

double correctOf(const torch::Tensor& pred, const torch::Tensor& y) {
  return pred.argmax(-1).eq(y.argmax(-1)).sum().item<double>();
}

torch::Tensor batchTensor(const Net& net, float* data, int64_t count) {
  std::vector<int64_t> shape{count};
  shape.insert(shape.end(), net.inputShape.begin(), net.inputShape.end());
  return torch::from_blob(data, shape, torch::kFloat32);
}

void optimizerStep(Net& net) {
  torch::NoGradGuard guard;
  if (!net.adam) {
    if (net.momentum == 0) {
      for (auto& p : net.params) p.add_(p.grad(), -net.lr);
      return;
    }
    // tf.train.momentum (no Nesterov): accumulation = momentum * accumulation + g; w -= lr * accumulation.
    for (size_t i = 0; i < net.params.size(); i++) {
      net.m[i].mul_(net.momentum).add_(net.params[i].grad());
      net.params[i].add_(net.m[i], -net.lr);
    }
    return;
  }
  const double oneMinusAcc1 = 1.0 - static_cast<double>(net.accBeta1);
  const double oneMinusAcc2 = 1.0 - static_cast<double>(net.accBeta2);
  for (size_t i = 0; i < net.params.size(); i++) {
    auto& p = net.params[i];
    const auto& g = p.grad();
    net.m[i].mul_(net.beta1).add_(g, 1 - net.beta1);
    net.v[i].mul_(net.beta2).addcmul_(g, g, 1 - net.beta2);
    auto denom = (net.v[i] / oneMinusAcc2).sqrt_().add_(net.eps);
    p.addcdiv_(net.m[i], denom, -net.lr / oneMinusAcc1);
  }
  net.accBeta1 = static_cast<float>(net.accBeta1 * static_cast<float>(net.beta1));
  net.accBeta2 = static_cast<float>(net.accBeta2 * static_cast<float>(net.beta2));
}

// ---- exported functions -------------------------------------------------------------------

// createNet({ inputShape, layers: [{type, units|filters, inputs, kernelSize|poolSize, activation}], task })
napi_value CreateNet(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value spec;
  NAPI_CHECK(napi_get_cb_info(env, info, &argc, &spec, nullptr, nullptr));
  if (argc < 1) return throwError(env, "createNet needs a spec");
  auto net = std::make_unique<Net>();
  napi_value shape, layers;
  if (!getNamed(env, spec, "inputShape", &shape) || !getNamed(env, spec, "layers", &layers)) {
    return throwError(env, "spec needs inputShape and layers");
  }
  uint32_t n = 0;
  NAPI_CHECK(napi_get_array_length(env, shape, &n));
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    int64_t d = 0;
    NAPI_CHECK(napi_get_element(env, shape, i, &e));
    NAPI_CHECK(napi_get_value_int64(env, e, &d));
    net->inputShape.push_back(d);
  }
  std::string task;
  if (!getString(env, spec, "task", &task)) return throwError(env, "spec.task missing");
  net->classification = task == "classification";
  NAPI_CHECK(napi_get_array_length(env, layers, &n));
  for (uint32_t i = 0; i < n; i++) {
    napi_value l;
    NAPI_CHECK(napi_get_element(env, layers, i, &l));
    std::string type, act = "linear";
    if (!getString(env, l, "type", &type)) return throwError(env, "layer " + std::to_string(i) + " has no type");
    getString(env, l, "activation", &act);
    Layer layer;
    layer.act = act == "relu" ? Act::Relu : act == "softmax" ? Act::Softmax : Act::Linear;
    double a = 0, b = 0, k = 0;
    if (type == "dense") {
      if (!getDouble(env, l, "inputs", &a) || !getDouble(env, l, "units", &b)) return throwError(env, "dense layer needs inputs and units");
      layer.kind = Kind::Dense;
      layer.weight = static_cast<int>(net->params.size());
      net->params.push_back(torch::zeros({int64_t(a), int64_t(b)}));
      net->params.push_back(torch::zeros({int64_t(b)}));
    } else if (type == "conv2d") {
      if (!getDouble(env, l, "inputs", &a) || !getDouble(env, l, "filters", &b) || !getDouble(env, l, "kernelSize", &k)) {
        return throwError(env, "conv2d layer needs inputs, filters and kernelSize");
      }
      if (int64_t(k) % 2 != 1) return throwError(env, "conv2d kernelSize must be odd ('same' padding)");
      layer.kind = Kind::Conv2d;
      layer.size = int64_t(k);
      layer.weight = static_cast<int>(net->params.size());
      net->params.push_back(torch::zeros({int64_t(k), int64_t(k), int64_t(a), int64_t(b)}));
      net->params.push_back(torch::zeros({int64_t(b)}));
    } else if (type == "maxpool") {
      if (!getDouble(env, l, "poolSize", &k)) return throwError(env, "maxpool layer needs poolSize");
      layer.kind = Kind::MaxPool;
      layer.size = int64_t(k);
    } else if (type == "flatten") {
      layer.kind = Kind::Flatten;
    } else {
      return throwError(env, "unknown layer type '" + type + "'");
    }
    net->layers.push_back(layer);
  }
  for (auto& p : net->params) p.set_requires_grad(true);
  napi_value out;
  Net* raw = net.release();
  if (napi_create_external(env, raw, finalizeNet, nullptr, &out) != napi_ok) {
    delete raw;
    return throwError(env, "cannot wrap the network");
  }
  return out;
}

// resetOptimizer(net, name, learningRate, momentum): a fresh optimizer state, as a new
// tf.train.adam / tf.train.sgd (momentum 0) / tf.train.momentum (sgd, momentum > 0).
napi_value ResetOptimizer(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  NAPI_CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  Net* net = argc == 4 ? unwrapNet(env, args[0]) : nullptr;
  if (net == nullptr) return throwError(env, "resetOptimizer(net, name, learningRate, momentum)");
  char buf[16];
  size_t len = 0;
  NAPI_CHECK(napi_get_value_string_utf8(env, args[1], buf, sizeof buf, &len));
  const std::string name(buf, len);
  if (name != "adam" && name != "sgd") return throwError(env, "unknown optimizer '" + name + "' (valid: adam, sgd)");
  NAPI_CHECK(napi_get_value_double(env, args[2], &net->lr));
  NAPI_CHECK(napi_get_value_double(env, args[3], &net->momentum));
  net->adam = name == "adam";
  if (net->adam && net->momentum != 0) return throwError(env, "momentum applies to sgd only");
  net->m.clear();
  net->v.clear();
  for (auto& p : net->params) {
    if (net->adam || net->momentum != 0) net->m.push_back(torch::zeros_like(p).detach());
    if (net->adam) net->v.push_back(torch::zeros_like(p).detach());
  }
  net->iterations = 0;
  net->accBeta1 = static_cast<float>(net->beta1);
  net->accBeta2 = static_cast<float>(net->beta2);
  return nullptr;
}

// params(net) -> Float32Array[] (live views)
napi_value Params(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  NAPI_CHECK(napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr));
  Net* net = unwrapNet(env, arg);
  if (net == nullptr) return throwError(env, "params: not a network");
  return viewsOf(env, net->params);
}

// slots(net) -> Float32Array[] (live views: Adam's first moments, then second moments; SGD's
// momentum accumulators; empty for plain SGD)
napi_value Slots(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  NAPI_CHECK(napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr));
  Net* net = unwrapNet(env, arg);
  if (net == nullptr) return throwError(env, "slots: not a network");
  std::vector<torch::Tensor> all(net->m);
  all.insert(all.end(), net->v.begin(), net->v.end());
  return viewsOf(env, all);
}

// optimizerScalars(net) -> [iterations, accBeta1, accBeta2]
napi_value OptimizerScalars(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  NAPI_CHECK(napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr));
  Net* net = unwrapNet(env, arg);
  if (net == nullptr) return throwError(env, "optimizerScalars: not a network");
  napi_value arr, a, b, c;
  NAPI_CHECK(napi_create_array_with_length(env, 3, &arr));
  NAPI_CHECK(napi_create_double(env, static_cast<double>(net->iterations), &a));
  NAPI_CHECK(napi_create_double(env, static_cast<double>(net->accBeta1), &b));
  NAPI_CHECK(napi_create_double(env, static_cast<double>(net->accBeta2), &c));
  NAPI_CHECK(napi_set_element(env, arr, 0, a));
  NAPI_CHECK(napi_set_element(env, arr, 1, b));
  NAPI_CHECK(napi_set_element(env, arr, 2, c));
  return arr;
}

// setOptimizerScalars(net, iterations, accBeta1, accBeta2)
napi_value SetOptimizerScalars(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  NAPI_CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  Net* net = argc == 4 ? unwrapNet(env, args[0]) : nullptr;
  if (net == nullptr) return throwError(env, "setOptimizerScalars(net, iterations, accBeta1, accBeta2)");
  double it = 0, b1 = 0, b2 = 0;
  NAPI_CHECK(napi_get_value_double(env, args[1], &it));
  NAPI_CHECK(napi_get_value_double(env, args[2], &b1));
  NAPI_CHECK(napi_get_value_double(env, args[3], &b2));
  net->iterations = static_cast<int64_t>(it);
  net->accBeta1 = static_cast<float>(b1);
  net->accBeta2 = static_cast<float>(b2);
  return nullptr;
}

// step(net, x, y, count, applyTo | null) -> [mean loss, correct]. With applyTo (float shadow
// weights, one Float32Array per parameter) the gradient taken at the current weights is applied
// to those values instead (the straight-through estimator).
napi_value Step(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value args[5];
  NAPI_CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  Net* net = argc == 5 ? unwrapNet(env, args[0]) : nullptr;
  if (net == nullptr) return throwError(env, "step(net, x, y, count, applyTo)");
  float *xd = nullptr, *yd = nullptr;
  size_t xn = 0, yn = 0;
  int64_t count = 0;
  if (!getFloat32(env, args[1], &xd, &xn) || !getFloat32(env, args[2], &yd, &yn)) return throwError(env, "step: x and y must be Float32Arrays");
  NAPI_CHECK(napi_get_value_int64(env, args[3], &count));
  napi_valuetype applyType;
  NAPI_CHECK(napi_typeof(env, args[4], &applyType));
  if ((net->adam || net->momentum != 0) && net->m.size() != net->params.size()) return throwError(env, "step: no optimizer; call resetOptimizer first");
  double lossValue = 0, correct = 0;
  try {
    const int64_t t0 = nowNs();
    auto x = batchTensor(*net, xd, count);
    auto y = torch::from_blob(yd, {count, static_cast<int64_t>(yn) / count}, torch::kFloat32);
    auto pred = forward(*net, x);
    auto loss = lossOf(*net, pred, y).mean();
    const int64_t t1 = nowNs();
    for (auto& p : net->params) p.mutable_grad().reset();
    loss.backward();
    const int64_t t2 = nowNs();
    lossValue = loss.item<double>();
    if (net->classification) correct = correctOf(pred.detach(), y);
    if (applyType != napi_null && applyType != napi_undefined) {
      torch::NoGradGuard guard;
      for (size_t i = 0; i < net->params.size(); i++) {
        napi_value e;
        float* src = nullptr;
        size_t len = 0;
        NAPI_CHECK(napi_get_element(env, args[4], static_cast<uint32_t>(i), &e));
        if (!getFloat32(env, e, &src, &len) || len != static_cast<size_t>(net->params[i].numel())) {
          return throwError(env, "step: applyTo[" + std::to_string(i) + "] must be a Float32Array of the parameter's size");
        }
        std::memcpy(net->params[i].data_ptr<float>(), src, len * sizeof(float));
      }
    }
    const int64_t t3 = nowNs();
    optimizerStep(*net);
    net->iterations++;
    const int64_t t4 = nowNs();
    net->forwardNs += t1 - t0;
    net->backwardNs += t2 - t1;
    net->optimizerNs += t4 - t3;
    net->stepNs += t4 - t0;
    net->steps++;
  } catch (const std::exception& e) {
    return throwError(env, std::string("step failed: ") + e.what());
  }
  napi_value arr, a, b;
  NAPI_CHECK(napi_create_array_with_length(env, 2, &arr));
  NAPI_CHECK(napi_create_double(env, lossValue, &a));
  NAPI_CHECK(napi_create_double(env, correct, &b));
  NAPI_CHECK(napi_set_element(env, arr, 0, a));
  NAPI_CHECK(napi_set_element(env, arr, 1, b));
  return arr;
}

// evaluate(net, x, y, count) -> [summed loss, correct]
napi_value Evaluate(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  NAPI_CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  Net* net = argc == 4 ? unwrapNet(env, args[0]) : nullptr;
  if (net == nullptr) return throwError(env, "evaluate(net, x, y, count)");
  float *xd = nullptr, *yd = nullptr;
  size_t xn = 0, yn = 0;
  int64_t count = 0;
  if (!getFloat32(env, args[1], &xd, &xn) || !getFloat32(env, args[2], &yd, &yn)) return throwError(env, "evaluate: x and y must be Float32Arrays");
  NAPI_CHECK(napi_get_value_int64(env, args[3], &count));
  double lossSum = 0, correct = 0;
  try {
    torch::NoGradGuard guard;
    auto pred = forward(*net, batchTensor(*net, xd, count));
    auto y = torch::from_blob(yd, {count, static_cast<int64_t>(yn) / count}, torch::kFloat32);
    lossSum = lossOf(*net, pred, y).sum().item<double>();
    if (net->classification) correct = correctOf(pred, y);
  } catch (const std::exception& e) {
    return throwError(env, std::string("evaluate failed: ") + e.what());
  }
  napi_value arr, a, b;
  NAPI_CHECK(napi_create_array_with_length(env, 2, &arr));
  NAPI_CHECK(napi_create_double(env, lossSum, &a));
  NAPI_CHECK(napi_create_double(env, correct, &b));
  NAPI_CHECK(napi_set_element(env, arr, 0, a));
  NAPI_CHECK(napi_set_element(env, arr, 1, b));
  return arr;
}

// gradNorms(net, x, y, count) -> Float64Array: the L2 norm of the mean-loss gradient of each
// parameter at the current weights (no update; the optimizer state is untouched).
napi_value GradNorms(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value args[4];
  NAPI_CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  Net* net = argc == 4 ? unwrapNet(env, args[0]) : nullptr;
  if (net == nullptr) return throwError(env, "gradNorms(net, x, y, count)");
  float *xd = nullptr, *yd = nullptr;
  size_t xn = 0, yn = 0;
  int64_t count = 0;
  if (!getFloat32(env, args[1], &xd, &xn) || !getFloat32(env, args[2], &yd, &yn)) return throwError(env, "gradNorms: x and y must be Float32Arrays");
  NAPI_CHECK(napi_get_value_int64(env, args[3], &count));
  std::vector<double> norms;
  try {
    auto y = torch::from_blob(yd, {count, static_cast<int64_t>(yn) / count}, torch::kFloat32);
    auto loss = lossOf(*net, forward(*net, batchTensor(*net, xd, count)), y).mean();
    for (auto& p : net->params) p.mutable_grad().reset();
    loss.backward();
    for (auto& p : net->params) norms.push_back(p.grad().norm().item<double>());
    for (auto& p : net->params) p.mutable_grad().reset();
  } catch (const std::exception& e) {
    return throwError(env, std::string("gradNorms failed: ") + e.what());
  }
  napi_value buffer, out;
  void* data = nullptr;
  NAPI_CHECK(napi_create_arraybuffer(env, norms.size() * sizeof(double), &data, &buffer));
  std::memcpy(data, norms.data(), norms.size() * sizeof(double));
  NAPI_CHECK(napi_create_typedarray(env, napi_float64_array, norms.size(), buffer, 0, &out));
  return out;
}

// predict(net, x, count) -> Float32Array (a copy of the outputs)
napi_value Predict(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value args[3];
  NAPI_CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  Net* net = argc == 3 ? unwrapNet(env, args[0]) : nullptr;
  if (net == nullptr) return throwError(env, "predict(net, x, count)");
  float* xd = nullptr;
  size_t xn = 0;
  int64_t count = 0;
  if (!getFloat32(env, args[1], &xd, &xn)) return throwError(env, "predict: x must be a Float32Array");
  NAPI_CHECK(napi_get_value_int64(env, args[2], &count));
  torch::Tensor pred;
  try {
    torch::NoGradGuard guard;
    pred = forward(*net, batchTensor(*net, xd, count)).contiguous();
  } catch (const std::exception& e) {
    return throwError(env, std::string("predict failed: ") + e.what());
  }
  napi_value ab, arr;
  void* out = nullptr;
  const size_t n = static_cast<size_t>(pred.numel());
  NAPI_CHECK(napi_create_arraybuffer(env, n * sizeof(float), &out, &ab));
  std::memcpy(out, pred.data_ptr<float>(), n * sizeof(float));
  NAPI_CHECK(napi_create_typedarray(env, napi_float32_array, n, ab, 0, &arr));
  return arr;
}

// timers(net) -> { steps, forwardMs, backwardMs, optimizerMs, stepMs } since the last call (then reset).
napi_value Timers(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  NAPI_CHECK(napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr));
  Net* net = unwrapNet(env, arg);
  if (net == nullptr) return throwError(env, "timers: not a network");
  napi_value obj;
  NAPI_CHECK(napi_create_object(env, &obj));
  const std::pair<const char*, double> fields[] = {
      {"steps", static_cast<double>(net->steps)},
      {"forwardMs", net->forwardNs / 1e6},
      {"backwardMs", net->backwardNs / 1e6},
      {"optimizerMs", net->optimizerNs / 1e6},
      {"stepMs", net->stepNs / 1e6},
  };
  for (const auto& f : fields) {
    napi_value v;
    NAPI_CHECK(napi_create_double(env, f.second, &v));
    NAPI_CHECK(napi_set_named_property(env, obj, f.first, v));
  }
  net->forwardNs = net->backwardNs = net->optimizerNs = net->stepNs = net->steps = 0;
  return obj;
}

// setThreads(n): intra-op threads of libtorch (OpenMP/OpenBLAS are pinned by the environment at load).
napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  NAPI_CHECK(napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr));
  int32_t n = 0;
  NAPI_CHECK(napi_get_value_int32(env, arg, &n));
  if (n < 1) return throwError(env, "setThreads: n must be >= 1");
  at::set_num_threads(n);
  return nullptr;
}

// info() -> { version, threads, parallel, config }
napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj, version, threads, parallel, config;
  NAPI_CHECK(napi_create_object(env, &obj));
  NAPI_CHECK(napi_create_string_utf8(env, TORCH_VERSION, NAPI_AUTO_LENGTH, &version));
  NAPI_CHECK(napi_create_int32(env, at::get_num_threads(), &threads));
  const std::string p = at::get_parallel_info();
  const std::string c = at::show_config();
  NAPI_CHECK(napi_create_string_utf8(env, p.c_str(), p.size(), &parallel));
  NAPI_CHECK(napi_create_string_utf8(env, c.c_str(), c.size(), &config));
  NAPI_CHECK(napi_set_named_property(env, obj, "version", version));
  NAPI_CHECK(napi_set_named_property(env, obj, "threads", threads));
  NAPI_CHECK(napi_set_named_property(env, obj, "parallel", parallel));
  NAPI_CHECK(napi_set_named_property(env, obj, "config", config));
  return obj;
}

napi_value Init(napi_env env, napi_value exports) {
#if defined(__GLIBC__)
  // A step allocates and frees blocks of several MB (the CNN's activations and gradients).
  // glibc serves them with mmap or trims them off the heap on free, so every step faults in
  // fresh zeroed pages: measured on CIFAR-10, about 40 % of a training step's CPU time in the
  // kernel. Keeping freed blocks in the heap removes it; the arithmetic is unchanged.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
  const napi_property_descriptor props[] = {
      {"createNet", nullptr, CreateNet, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"resetOptimizer", nullptr, ResetOptimizer, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"params", nullptr, Params, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"slots", nullptr, Slots, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gradNorms", nullptr, GradNorms, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"optimizerScalars", nullptr, OptimizerScalars, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setOptimizerScalars", nullptr, SetOptimizerScalars, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"step", nullptr, Step, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"evaluate", nullptr, Evaluate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"predict", nullptr, Predict, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"timers", nullptr, Timers, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return nullptr;
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
