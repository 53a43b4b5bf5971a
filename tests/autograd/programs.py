"""Small programs in HIPS autograd's style (modelled on its README and examples:
tanh derivatives, logistic regression, a neural net trained with
misc.optimizers.adam, a Gaussian process, a custom primitive, an ODE), each a
function of the autograd namespace it runs on, returning numbers to compare.
The same source runs on ``autograd`` and on ``funcgrad.autograd``."""
from __future__ import annotations

import importlib


def load(root: str) -> dict:
    """The modules an autograd program imports, from ``root`` ("autograd" or
    "funcgrad.autograd")."""
    names = ["", ".numpy", ".numpy.random", ".scipy.special", ".scipy.stats.norm",
             ".scipy.stats.multivariate_normal", ".misc", ".misc.optimizers", ".extend",
             ".builtins", ".test_util", ".scipy.integrate", ".scipy.linalg"]
    mods = {n: importlib.import_module(root + n) for n in names}
    return {"ag": mods[""], "np": mods[".numpy"], "npr": mods[".numpy.random"],
            "special": mods[".scipy.special"], "norm": mods[".scipy.stats.norm"],
            "mvn": mods[".scipy.stats.multivariate_normal"], "flatten": mods[".misc"].flatten,
            "optimizers": mods[".misc.optimizers"], "extend": mods[".extend"],
            "builtins": mods[".builtins"], "check_grads": mods[".test_util"].check_grads,
            "odeint": mods[".scipy.integrate"].odeint, "linalg": mods[".scipy.linalg"]}


def tanh_derivatives(m):
    np, egrad = m["np"], m["ag"].elementwise_grad
    x = np.linspace(-3.0, 3.0, 7)
    f = np.tanh
    out = [f(x)]
    for _ in range(4):
        f = egrad(f)
        out.append(f(x))
    return out


def logistic_regression(m):
    np, grad = m["np"], m["ag"].grad

    def sigmoid(x):
        return 0.5 * (np.tanh(x / 2.0) + 1)

    def logistic_predictions(weights, inputs):
        return sigmoid(np.dot(inputs, weights))

    inputs = np.array([[0.52, 1.12, 0.77], [0.88, -1.08, 0.15], [0.52, 0.06, -1.30],
                       [0.74, -2.49, 1.39]])
    targets = np.array([True, True, False, True])

    def training_loss(weights):
        preds = logistic_predictions(weights, inputs)
        label_probabilities = preds * targets + (1 - preds) * (1 - targets)
        return -np.sum(np.log(label_probabilities))

    training_gradient_fun = grad(training_loss)
    weights = np.array([0.0, 0.0, 0.0])
    for _ in range(100):
        weights -= training_gradient_fun(weights) * 0.01
    return [weights, training_loss(weights)]


def neural_net_with_adam(m):
    np, grad, flatten, optimizers = m["np"], m["ag"].grad, m["flatten"], m["optimizers"]
    rs = np.random.RandomState(0)
    params = [(rs.randn(2, 4) * 0.5, rs.randn(4) * 0.1), (rs.randn(4, 1) * 0.5, rs.randn(1) * 0.1)]
    x = np.linspace(-1, 1, 20).reshape(10, 2)
    y = np.sin(3 * x[:, :1]) * np.cos(x[:, 1:])

    def predict(params, inputs):
        for W, b in params:
            outputs = np.dot(inputs, W) + b
            inputs = np.tanh(outputs)
        return outputs

    def objective(params, iter):
        return np.mean((predict(params, x) - y) ** 2)

    seen = []

    def callback(params, iter, gradient):
        if iter % 10 == 0:
            seen.append(objective(params, iter))
            seen.append(np.sum(flatten(gradient)[0] ** 2))

    trained = optimizers.adam(grad(objective), params, step_size=0.05, num_iters=50,
                              callback=callback)
    trained2 = optimizers.rmsprop(grad(objective), params, step_size=0.01, num_iters=20)
    trained3 = optimizers.sgd(grad(objective), params, step_size=0.1, num_iters=20)
    return [seen, flatten(trained)[0], flatten(trained2)[0], flatten(trained3)[0]]


def gaussian_process(m):
    np, mvn, value_and_grad = m["np"], m["mvn"], m["ag"].value_and_grad
    x = np.linspace(-2, 2, 8)
    y = np.sin(x) + 0.1 * np.cos(7 * x)

    def rbf(params, x, xp):
        output_scale = np.exp(params[0])
        lengthscales = np.exp(params[1])
        diffs = np.expand_dims(x / lengthscales, 1) - np.expand_dims(xp / lengthscales, 0)
        return output_scale * np.exp(-0.5 * diffs ** 2)

    def log_marginal_likelihood(params):
        noise = np.exp(params[2]) + 0.001
        cov = rbf(params, x, x) + noise * np.eye(len(y))
        return mvn.logpdf(y, np.zeros(len(y)), cov)

    vals = []
    params = np.array([0.1, -0.2, -1.0])
    for _ in range(20):
        v, g = value_and_grad(lambda p: -log_marginal_likelihood(p))(params)
        vals.append(v)
        params = params - 0.05 * g
    return [np.array(vals), params]


def custom_primitive(m):
    np, extend, grad = m["np"], m["extend"], m["ag"].grad

    @extend.primitive
    def logsumexp(x):
        max_x = np.max(x)
        return max_x + np.log(np.sum(np.exp(x - max_x)))

    def logsumexp_vjp(ans, x):
        x_shape = x.shape
        return lambda g: np.full(x_shape, g) * np.exp(x - np.full(x_shape, ans))

    extend.defvjp(logsumexp, logsumexp_vjp)
    extend.defjvp(logsumexp, lambda g, ans, x: np.sum(g * np.exp(x - ans)))

    @extend.primitive
    def scaled(x, c):
        return c * x

    extend.defvjp_argnum(scaled, lambda argnum, ans, args, kwargs:
                         (lambda g: g * args[1]) if argnum == 0 else (lambda g: np.sum(g * args[0])))
    x = np.array([1.5, 2.2, 3.4, -4.0])

    def example_func(y):
        z = y ** 2
        lse = logsumexp(z)
        return np.sum(lse)

    m["check_grads"](example_func, modes=["rev", "fwd"], order=2)(x)
    return [grad(example_func)(x), grad(grad(lambda y: np.sum(np.sin(y)) * logsumexp(y)))(1.0 * x[:1]),
            m["ag"].make_jvp(example_func)(x)(np.ones(4))[1],
            grad(lambda c: np.sum(scaled(x, c)))(2.0), grad(lambda y: np.sum(scaled(y, 2.0)))(x)]


def operators(m):
    ag, np = m["ag"], m["np"]

    def f(x, y):
        return np.sum(np.sin(x) * y ** 2) + np.prod(x)

    x, y, v = np.array([0.3, -0.7]), np.array([1.1, 0.4]), np.array([0.5, 2.0])
    return [ag.grad(f, 1)(x, y), ag.grad(f, (0, 1))(x, y)[0], ag.jacobian(np.sin)(x),
            ag.hessian(f)(x, y), ag.hessian_vector_product(f)(x, y, v),
            ag.make_hvp(f)(x, y)[0](v), ag.make_vjp(np.sin)(x)[0](v),
            ag.make_jvp(np.cos)(x)(v)[1], ag.grad_and_aux(lambda x: (np.sum(x ** 2), x * 3))(x)[0],
            ag.value_and_grad(f)(x, y)[1], ag.tensor_jacobian_product(np.tanh)(x, v),
            ag.deriv(np.sin)(0.5), ag.holomorphic_grad(lambda z: z ** 3)(1.0 + 2.0j),
            ag.elementwise_grad(lambda x: x ** 3)(x), ag.checkpoint(np.tanh)(x),
            ag.grad(ag.checkpoint(lambda x: np.sum(np.tanh(x))))(x)]


def containers(m):
    ag, np, b = m["ag"], m["np"], m["builtins"]

    def f(x):
        pair = b.tuple((x, x ** 2))
        d = b.dict(a=pair[0], c=pair[1])
        lst = b.list([d["a"], d["c"]])
        assert b.isinstance(x, np.ndarray)
        return np.sum(lst[0] * lst[1])

    def g(t):
        return t[0] * np.sum(t[1]["w"])

    return [ag.grad(f)(np.array([1.0, 2.0])),
            ag.grad(g)((2.0, {"w": np.array([1.0, 3.0])}))[1]["w"],
            m["flatten"]({"b": np.ones(2), "a": (3.0, np.zeros((1, 2)))})[0]]


def special_and_stats(m):
    ag, np, special, norm = m["ag"], m["np"], m["special"], m["norm"]
    x = np.array([0.3, 1.2, 2.5])
    return [ag.elementwise_grad(special.gammaln)(x), ag.elementwise_grad(special.erf)(x),
            ag.grad(lambda x: np.sum(special.logsumexp(x)))(x),
            ag.elementwise_grad(special.expit)(x), ag.elementwise_grad(special.digamma)(x),
            ag.elementwise_grad(norm.logpdf)(x, 0.5, 2.0),
            ag.elementwise_grad(norm.cdf)(x, 0.5, 2.0),
            ag.grad(lambda s: np.sum(norm.logpdf(x, 0.5, s)))(2.0),
            ag.grad(lambda a: np.sum(m["linalg"].solve_triangular(a, x, lower=True)))(
                np.array([[2.0, 0.0, 0.0], [0.5, 1.0, 0.0], [0.1, 0.2, 3.0]]))]


def fixed_point_sqrt(m):
    np, grad = m["np"], m["ag"].grad
    fixed_point = importlib.import_module(m["ag"].__name__ + ".misc.fixed_points").fixed_point

    def newton_sqrt_iter(a):
        return lambda x: 0.5 * (x + a / x)

    def distance(x, y):
        return np.abs(x - y)

    def sqrt(a, guess=10.0):
        return fixed_point(newton_sqrt_iter, a, guess, distance, 1e-4)

    return [sqrt(2.0), grad(sqrt)(2.0), grad(grad(sqrt))(2.0)]


def mixture_model(m):
    """A Gaussian mixture's log-likelihood (autograd's gmm example), flattened with
    flatten_func; its gradient and Hessian-vector product."""
    np, ag = m["np"], m["ag"]
    logsumexp, mvn = m["special"].logsumexp, m["mvn"]
    flatten_func = importlib.import_module(m["ag"].__name__ + ".misc.flatten").flatten_func
    rs = np.random.RandomState(0)
    params = {"log proportions": rs.randn(3) * 0.1, "means": rs.randn(3, 2) * 0.1,
              "lower triangles": np.zeros((3, 2, 2)) + np.eye(2)}
    data = rs.randn(30, 2)

    def gmm_log_likelihood(params, data):
        log_props = params["log proportions"] - logsumexp(params["log proportions"])
        cluster_lls = []
        for log_proportion, mean, cov_sqrt in zip(log_props, params["means"],
                                                   params["lower triangles"]):
            cov = np.dot(cov_sqrt.T, cov_sqrt)
            cluster_lls.append(log_proportion + mvn.logpdf(data, mean, cov))
        return np.sum(logsumexp(np.vstack(cluster_lls), axis=0))

    flat_obj, unflatten, flat0 = flatten_func(lambda p: -gmm_log_likelihood(p, data), params)
    v = np.linspace(-1, 1, flat0.shape[0])
    return [flat_obj(flat0), ag.grad(flat_obj)(flat0),
            ag.hessian_vector_product(flat_obj)(flat0, v)]


def black_box_svi(m):
    """Black-box variational inference (autograd's black_box_svi example, shortened)."""
    np, grad, norm, mvn, adam = m["np"], m["ag"].grad, m["norm"], m["mvn"], m["optimizers"].adam
    D = 2

    def log_posterior(x, t):
        mu, log_sigma = x[:, 0], x[:, 1]
        return norm.logpdf(log_sigma, 0, 1.35) + norm.logpdf(mu, 0, np.exp(log_sigma))

    rs = np.random.RandomState(0)

    def variational_objective(params, t):
        mean, log_std = params[:D], params[D:]
        samples = rs.randn(200, D) * np.exp(log_std) + mean
        entropy = 0.5 * D * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)
        return -(entropy + np.mean(log_posterior(samples, t)))

    bounds = []

    def callback(params, t, g):
        mean, log_std = params[:D], params[D:]
        bounds.append(mvn.pdf(np.zeros(D), mean, np.diag(np.exp(2 * log_std))))

    init = np.concatenate([-1 * np.ones(D), -5 * np.ones(D)])
    final = adam(grad(variational_objective), init, step_size=0.1, num_iters=30,
                 callback=callback)
    return [np.array(bounds), final]


def multigrad(m):
    """(HIPS autograd's multigrad_dict needs the funcsigs package, absent here.)"""
    return list(m["ag"].multigrad_dict(lambda a, b=2.0: a * b ** 2)(3.0).items())


def ode(m):
    np, grad, odeint = m["np"], m["ag"].grad, m["odeint"]

    def dynamics(y, t, k):
        return -k * y + np.sin(t)

    t = np.array([0.0, 0.5, 1.0])

    def loss(y0, k):
        return np.sum(odeint(dynamics, y0, t, (k,)) ** 2)

    return [grad(loss, 0)(np.array([1.0, 2.0]), 0.7), grad(loss, 1)(np.array([1.0, 2.0]), 0.7)]


PROGRAMS = [tanh_derivatives, logistic_regression, neural_net_with_adam, gaussian_process,
            custom_primitive, operators, containers, special_and_stats, fixed_point_sqrt, mixture_model, black_box_svi]
# programs HIPS autograd 1.9 cannot run here, with their recorded results
RECORDED = {multigrad: [("a", 4.0), ("b", 12.0)]}
