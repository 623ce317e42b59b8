"""A training run's recipe: every setting that makes a run what it is, as one object, checked whole.

SETTINGS is the one table of those settings: each row gives a setting's
name, its command-line option, its default, the rule its values follow and
its help. `nnloop train` takes its options from the table
(nnloop.cli.train), the model file records a run's recipe under
"training.arguments" from it (a setting under its option's name:
--learning-rate is "learning_rate"), and `--resume` reads from it which
settings may change. A Recipe is made in one of three ways, and is checked
whole each time, before any work:

    Recipe(eta=0.05, epochs=3)                in Python, and from nnloop train's options
    Recipe.from_document(arguments, where)    from a model file's "training.arguments"
    recipe.resumed(changes, where)            a recorded run, with what --resume may change

A setting given but unused by the run is refused (--lr-step without the
step schedule, --beta1 without adam): a run must be what its command says.

>>> recipe = Recipe(hidden=[32], eta=0.05, lr_schedule="cosine", epochs=4)
>>> recipe                                   # only what differs from the defaults
Recipe(hidden=[32], epochs=4, eta=0.05, lr_schedule='cosine', lr_epochs=4)
>>> [round(recipe.eta_at(e), 4) for e in range(4)]   # eta_e of epoch e = 0, 1, ...
[0.05, 0.0427, 0.025, 0.0073]
>>> Recipe(lr_step=5)
Traceback (most recent call last):
...
nnloop.errors.NnloopError: --lr-step is a setting of the step schedule, which --lr-schedule constant does not use: leave it out or choose --lr-schedule step
"""
import math
from typing import Callable, NamedTuple, Optional

from .. import architecture
from ..errors import NnloopError, short
from ..layers.activations import ACTIVATIONS
from ..layers.dropout import check_dropout
from ..losses import LOSSES
from ..network import Network
from . import optimizers
from .schedules import SCHEDULES, eta_at

FIX = "put back the value nnloop train wrote, or train again"


class Setting(NamedTuple):
    """One row of SETTINGS: one setting of a run, as every part of nnloop sees it."""
    name: str                # the Recipe's attribute, and the dest of its option
    option: str              # its command-line option, as messages name it
    default: object
    check: Callable          # check(value) returns the value, or raises NnloopError saying what a good one is
    parse: Optional[Callable]  # parse(text): the value of the option's text (ValueError if it is none); None: a flag
    group: str               # the option's group in `nnloop train --help`
    help: str                # {default} stands for the default
    metavar: Optional[str] = None
    choices: Optional[tuple] = None
    aliases: tuple = ()      # further spellings of the option
    always: bool = False     # recorded by every version of nnloop: a model file without it is damaged
    resumable: bool = False  # --resume may change it without making another run
    hyperparameter: Optional[str] = None  # its name in nnloop.learning.optimizers (--momentum sets mu)

    @property
    def key(self):
        """The key of "training.arguments" that records it: the option's name."""
        return self.option[2:].replace("-", "_")

    def shown_default(self):
        if self.hyperparameter:  # None: the optimizer's own default
            return next(cls.HYPERPARAMETERS[self.hyperparameter] for cls in optimizers.OPTIMIZERS.values()
                        if self.hyperparameter in cls.HYPERPARAMETERS)
        return self.default


# The rules a value follows: each makes a check(value) for the table.

def whole(noun, least=None, optional=False):
    """A whole number (>= least), or None if optional."""
    wanted = "a whole number" + ("" if least is None else f" >= {least}") + (" or None" if optional else "")

    def check(value):
        if optional and value is None:
            return value
        if isinstance(value, bool) or not isinstance(value, int) or (least is not None and value < least):
            raise NnloopError(f"{noun} must be {wanted}; got {short(value)}")
        return value
    return check


def number(noun, test, wanted):
    """A finite number that passes test."""
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value)
                                                                                 and test(value)):
            raise NnloopError(f"{noun} must be {wanted}; got {short(value)}")
        return value
    return check


def choice(noun, choices):
    def check(value):
        if not isinstance(value, str) or value not in choices:
            raise NnloopError(f"{noun} must be one of {', '.join(choices)}; got {short(value)}")
        return value
    return check


def text_or_none(noun, wanted):
    """A string, or None."""
    def check(value):
        if value is not None and not isinstance(value, str):
            raise NnloopError(f"{noun} must be {wanted} or None; got {short(value)}")
        return value
    return check


def flag(value):
    if not isinstance(value, bool):
        raise NnloopError(f"reproducible must be true or false; got {short(value)}")
    return value


def check_sizes(value):
    if not isinstance(value, list) or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1
                                              for n in value):
        raise NnloopError(f"the hidden layer sizes must be whole numbers >= 1, like 128,64 (in Python and model "
                          f"files a list, [128, 64]; none: '' or []); got {short(value)}")
    return value


def read_sizes(text):
    """'128,64' -> [128, 64]; '' -> [] (no hidden layer: a linear classifier). Digits 0-9 only, as written."""
    parts = [p.strip() for p in text.split(",")] if text.strip() else []
    if not all(p.isascii() and p.isdigit() for p in parts):
        raise ValueError(text)
    return [int(p) for p in parts]


def read_architecture(text):
    """An architecture string as nnloop.architecture.parse reads it, spaces left out."""
    architecture.parse(text)
    return text.replace(" ", "")


HIDDEN_ACTIVATIONS = tuple(name for name, f in ACTIVATIONS.items() if f.derivative is not None)  # not softmax

# The groups of `nnloop train --help`, in its order.
GROUPS = NETWORK, LEARNING, OPTIMIZER, FILES = ("the network", "learning", "optimizer and regularization (see the "
                                                "README's Optimizers section)", "files")


def optimizer_setting(name, hyperparameter, metavar, help):
    """The setting --name of an optimizer's hyperparameter (nnloop.learning.optimizers): its range is the
    optimizer's, and None, its default, leaves it to the optimizer."""
    def check(value):
        return value if value is None else optimizers.check_hyperparameter(hyperparameter, value)
    return Setting(name, f"--{name}", None, check, float, OPTIMIZER, help, metavar=metavar,
                   hyperparameter=hyperparameter)


# The table, in the order the model file records the settings.
SETTINGS = {s.name: s for s in (
    Setting("hidden", "--hidden", [100], check_sizes, read_sizes, NETWORK, metavar="SIZES", always=True,
            help="nodes of each hidden layer, comma separated (default 100; '' for none)"),
    Setting("layers", "--layers", None, text_or_none("layers", "an architecture string, like \"conv8x5,maxpool2,dense100\""),
            read_architecture, NETWORK, metavar="LAYERS",
            help="the layers between the input and the 10 outputs, comma separated, instead of --hidden: "
                 f"{architecture.GRAMMAR}; e.g. conv8x5,maxpool2,dense100 (a flatten is put in before the first "
                 "dense layer if you leave it out)"),
    Setting("activation", "--activation", "relu", choice("the hidden activation", HIDDEN_ACTIVATIONS), None,
            NETWORK, choices=HIDDEN_ACTIVATIONS, always=True,
            help="activation of the hidden layers (default {default}: its gradient does not fade)"),
    Setting("output_activation", "--output-activation", "softmax", choice("the output activation", tuple(ACTIVATIONS)),
            None, NETWORK, choices=tuple(ACTIVATIONS), always=True,
            help="activation of the 10 output nodes (default {default}: probabilities)"),
    Setting("loss", "--loss", "cross_entropy", choice("the loss", tuple(LOSSES)), None, NETWORK,
            choices=tuple(LOSSES), always=True,
            help="cross_entropy (default; needs softmax) or mse, mean squared error"),
    Setting("epochs", "--epochs", 10, whole("epochs", 1), int, LEARNING, always=True, resumable=True,
            help="passes over the training digits (default {default})"),
    Setting("batch_size", "--batch-size", 32, whole("the batch size", 1), int, LEARNING,
            always=True, help="digits per minibatch (default {default}); 1 is online learning"),
    Setting("eta", "--learning-rate", 0.1,
            number("the learning rate eta", lambda eta: eta > 0, "a number > 0, typically 0.1 to 0.001"), float,
            LEARNING, metavar="ETA", aliases=("--lr",), always=True,
            help="the learning rate, eta of W -= eta * dW / batch_size (default {default})"),
    Setting("seed", "--seed", 0, whole("the seed"), int, NETWORK, always=True,
            help="seed of the initial weights and the shuffling (default {default})"),
    Setting("limit", "--limit", None, whole("limit", 1, optional=True), int, LEARNING, metavar="N", always=True,
            help="train on the first N training digits only (default all 60,000)"),
    Setting("data", "--data", None, text_or_none("data", "a directory name"), str, FILES, metavar="DIR", always=True,
            resumable=True, help="directory of the MNIST files (default: the bundled data/mnist)"),
    Setting("workers", "--workers", 1, whole("workers", 1), int, LEARNING, metavar="N", always=True, resumable=True,
            help="processes sharing each minibatch (default {default}); the same N gives the same model, "
                 "another N the same up to rounding"),
    Setting("reproducible", "--reproducible", False, flag, None, FILES, always=True, resumable=True,
            help="leave the measured seconds out of the model file, so that the same options give a "
                 "byte-identical file"),
    Setting("optimizer", "--optimizer", "sgd", choice("the optimizer", tuple(optimizers.OPTIMIZERS)), None,
            OPTIMIZER, choices=tuple(optimizers.OPTIMIZERS),
            help="the update rule: sgd p -= eta*g (default); momentum and nesterov keep a velocity v that speeds "
                 "up steady descent; adagrad and rmsprop scale each parameter's step by its gradients' size; adam "
                 "does both"),
    optimizer_setting("momentum", "mu", "MU", "momentum, nesterov: v = MU*v - eta*g, the share of the last step "
                      "kept (default {default}; 0 is plain SGD; higher is faster but can overshoot)"),
    optimizer_setting("beta1", "b1", "B1", "adam: decay of m, the running mean of g (default {default})"),
    optimizer_setting("beta2", "b2", "B2", "adam: decay of s, the running mean of g*g that scales each step "
                      "(default {default})"),
    optimizer_setting("epsilon", "eps", "EPS", "adagrad, rmsprop, adam: added to sqrt(h) so that a parameter with "
                      "tiny gradients does not take a huge step (default {default})"),
    optimizer_setting("rho", "rho", "RHO", "rmsprop: decay of h, the running mean of g*g (default {default}; "
                      "higher remembers longer)"),
    Setting("weight_decay", "--weight-decay", 0.0,
            lambda value: optimizers.check_hyperparameter("weight_decay", value), float, OPTIMIZER,
            metavar="LAMBDA", help="pull the weights (not the biases) toward 0 by LAMBDA*W each step, against "
                                   "overfitting (default 0: none)"),
    Setting("decay", "--decay", "coupled", choice("the weight decay", optimizers.DECAYS), None, OPTIMIZER,
            choices=optimizers.DECAYS,
            help="coupled (default): L2, LAMBDA*W added to the gradient, so adaptive optimizers rescale it; "
                 "decoupled (AdamW): W shrunk by eta*LAMBDA*W beside the step"),
    Setting("dropout", "--dropout", 0.0, check_dropout, float, OPTIMIZER, metavar="P",
            help="in training, drop each hidden node with probability P per digit and scale the kept ones by "
                 "1/(1-P), so no node can lean on another (default 0: none); or place dropout layers yourself: "
                 "--layers dense100,dropout0.5"),
    Setting("lr_schedule", "--lr-schedule", "constant", choice("the learning-rate schedule", SCHEDULES), None,
            OPTIMIZER, choices=SCHEDULES,
            help="how eta changes by epoch e = 0, 1, ...: constant (default); step eta*GAMMA^floor(e/STEP); "
                 "cosine eta*(1+cos(pi*e/E))/2, large steps early, small late"),
    Setting("lr_step", "--lr-step", 10, whole("the step schedule's STEP (epochs between cuts)", 1), int, OPTIMIZER,
            metavar="STEP", help="step schedule: epochs between cuts of eta (default {default})"),
    Setting("lr_gamma", "--lr-gamma", 0.5,
            number("the step schedule's GAMMA (the factor of each cut)", lambda gamma: 0 < gamma < 1,
                   "> 0 and < 1 (1 would cut nothing), typically 0.5 or 0.1"), float, OPTIMIZER, metavar="GAMMA",
            help="step schedule: the factor eta is multiplied by at each cut (default {default})"),
    Setting("lr_epochs", "--lr-epochs", None, whole("the cosine schedule's length E", 1, optional=True), int,
            OPTIMIZER, metavar="E", help="cosine schedule: epochs from eta down to 0 (default: --epochs of the run)"),
)}
# Who uses a setting that not every run uses: (the setting that chooses, the choices that use it).
USED_BY = {"lr_step": ("lr_schedule", ("step",)), "lr_gamma": ("lr_schedule", ("step",)),
           "lr_epochs": ("lr_schedule", ("cosine",)),
           **{s.name: ("optimizer", tuple(name for name, cls in optimizers.OPTIMIZERS.items()
                                          if s.hyperparameter in cls.HYPERPARAMETERS))
              for s in SETTINGS.values() if s.hyperparameter}}


class Recipe:
    """A training run's settings, one attribute per row of SETTINGS (recipe.eta, recipe.batch_size, ...).

    Made from settings given by name, the others at their defaults, and
    checked whole: each value against its rule, then together (an
    optimizer's settings need that optimizer, --layers must parse, ...).
    A cosine schedule's length lr_epochs is fixed to the run's epochs
    when not given, so that a resumed run with more epochs keeps it.
    """

    def __init__(self, **settings):
        for name, value in settings.items():
            if name not in SETTINGS:
                raise NnloopError(f"a recipe has no setting {name!r}: use one of {', '.join(SETTINGS)}")
            SETTINGS[name].check(value)
        refuse_unused(settings)
        self.take({**defaults(), **settings})

    @classmethod
    def from_document(cls, arguments, where):
        """The recipe a model file recorded as "training.arguments"; where names the file.

        Settings newer than the file's nnloop take their defaults, which
        the runs of that nnloop had; one that every version records must
        be there. Keys this nnloop does not know are left alone: a newer
        nnloop may record more.
        """
        if not isinstance(arguments, dict):
            raise NnloopError(f"{where}: \"training.arguments\" must be an object of the options of the run: {FIX}")
        values = defaults()
        for setting in SETTINGS.values():
            if setting.key not in arguments:
                if setting.always:
                    raise NnloopError(f"{where} is a damaged nnloop model file: \"training.arguments\" has no "
                                      f"\"{setting.key}\", which every run records; {FIX}")
                continue
            try:
                values[setting.name] = setting.check(arguments[setting.key])
            except NnloopError as e:
                raise NnloopError(f"{where}: \"training.arguments.{setting.key}\": {e}: {FIX}") from None
        recipe = cls.__new__(cls)
        try:
            recipe.take(values)
        except NnloopError as e:
            raise NnloopError(f"{where}: \"training.arguments\": {e}; {FIX}") from None
        return recipe

    def take(self, values):
        """Set every setting from values, a complete dict of checked values, and check them together."""
        if values["lr_schedule"] == "cosine" and values["lr_epochs"] is None:
            values["lr_epochs"] = values["epochs"]  # fixed now: a resumed run may change --epochs
        for name, (chooser, users) in USED_BY.items():
            if SETTINGS[name].hyperparameter and values[name] is not None and values[chooser] not in users:
                raise unused(name, values)
        if values["layers"] is not None:
            layers = architecture.parse(values["layers"], values["activation"])
            if values["dropout"] and any(d["type"] == "dropout" for d in layers):
                raise NnloopError(f"--dropout {values['dropout']} puts a dropout layer after every hidden layer, but "
                                  f"--layers {values['layers']} places its own: use one or the other")
        self.__dict__.update(values)

    def settings(self):
        """{name: value} of every setting."""
        return {name: getattr(self, name) for name in SETTINGS}

    def to_document(self):
        """The JSON-ready "training.arguments" of a model file: every setting, under its option's name."""
        return {setting.key: getattr(self, name) for name, setting in SETTINGS.items()}

    def resumed(self, changes, where):
        """This recorded run with changes {name: value} of settings --resume may change; where names its file.

        A change to any other setting would make another run: refused, naming what the run had.
        """
        for name, value in changes.items():
            SETTINGS[name].check(value)
            if not SETTINGS[name].resumable and value != getattr(self, name):
                option = SETTINGS[name].option
                raise NnloopError(f"{option} {value} differs from the run in {where} ({self.recorded_words(name)}); "
                                  f"--resume continues that run: leave {option} out")
        recipe = Recipe.__new__(Recipe)
        recipe.take({**self.settings(), **changes})
        return recipe

    def recorded_words(self, name):
        """What the run has for a setting, in words: 'which has 0.1', 'which has the default 0.9' for an optimizer's
        hyperparameter left at its default."""
        value = getattr(self, name)
        if value is not None:
            return f"which has {value}"
        hyperparameters = optimizers.OPTIMIZERS[self.optimizer].HYPERPARAMETERS
        if SETTINGS[name].hyperparameter in hyperparameters:
            return f"which has the default {hyperparameters[SETTINGS[name].hyperparameter]}"
        return "which did not set it"

    def new_network(self, input_shape, classes):
        """The network the run starts from: the --layers architecture, or dense --hidden layers, over inputs of
        input_shape (784, or channels, rows, cols) and classes outputs."""
        if self.layers:
            return architecture.build(architecture.parse(self.layers, self.activation), input_shape, classes,
                                      self.output_activation, self.loss, self.seed)
        n = input_shape if isinstance(input_shape, int) else math.prod(input_shape)
        return Network([n] + self.hidden + [classes], [self.activation] * len(self.hidden) + [self.output_activation],
                       self.loss, seed=self.seed)

    def new_optimizer(self, net):
        """The run's optimizer for net, with the hyperparameters the recipe sets (the others at their defaults)."""
        return optimizers.make(self.optimizer, net, weight_decay=self.weight_decay, decay=self.decay,
                               **{s.hyperparameter: getattr(self, name) for name, s in SETTINGS.items()
                                  if s.hyperparameter})

    def eta_at(self, e):
        """eta_e, the learning rate of epoch e = 0, 1, ... under the run's schedule."""
        return eta_at(self.lr_schedule, self.eta, e, step=self.lr_step, gamma=self.lr_gamma, E=self.lr_epochs)

    def learning_phrase(self):
        """'learning rate 0.1' for plain SGD; the optimizer, schedule, decay and dropout as well otherwise."""
        text = f"learning rate {self.eta}"
        if self.lr_schedule != "constant":
            text += f" ({self.lr_schedule} schedule)"
        if self.optimizer != "sgd":
            text = f"{self.optimizer}, " + text
        if self.weight_decay:
            text += f", {self.decay} weight decay {self.weight_decay}"
        if self.dropout:
            text += f", dropout {self.dropout}"
        return text

    def __eq__(self, other):
        return isinstance(other, Recipe) and self.settings() == other.settings()

    def __repr__(self):
        differ = [f"{name}={value!r}" for name, value in self.settings().items() if value != SETTINGS[name].default]
        return f"Recipe({', '.join(differ)})"


def defaults():
    """{name: default} of every setting (a fresh list for hidden)."""
    return {name: list(s.default) if isinstance(s.default, list) else s.default for name, s in SETTINGS.items()}


def refuse_unused(given):
    """Refuse settings given that the run would not use, so that the run is what its command says."""
    values = {**defaults(), **given}
    for name in given:
        if name in USED_BY and values[USED_BY[name][0]] not in USED_BY[name][1]:
            raise unused(name, values)
    if "decay" in given and not values["weight_decay"]:
        raise NnloopError("--decay says how weight decay is applied, but there is none: give --weight-decay LAMBDA, "
                          "or leave --decay out")
    check_one_architecture(given.get("hidden"), given.get("layers"))


def check_one_architecture(hidden, layers):
    """Refuse both --hidden and --layers: each says what the hidden layers are."""
    if hidden is not None and layers is not None:
        raise NnloopError("--hidden and --layers both say what the hidden layers are: give one of them")


def unused(name, values):
    """The refusal of a setting that the choice values make (--optimizer, --lr-schedule) does not use."""
    chooser, users = USED_BY[name]
    option, choosing = SETTINGS[name].option, SETTINGS[chooser].option
    what = " and ".join(users) if chooser == "optimizer" else f"the {users[0]} schedule"
    return NnloopError(f"{option} is a setting of {what}, which {choosing} {values[chooser]} does not use: leave it "
                       f"out or choose {choosing} {users[0]}")
