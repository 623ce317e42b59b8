"""nnloop.learning.recipe: a training run's settings, one table of them, one object checked whole wherever it is
made (in Python, from the command line, from a model file, on --resume)."""
import copy
import json
import os

import pytest
from hypothesis import given, settings, strategies as st

from nnloop import NnloopError, Recipe
from nnloop.learning import optimizers
from nnloop.learning.recipe import SETTINGS, USED_BY, check_one_architecture

from conftest import ROOT

# A run as the first nnloop train recorded it: only the settings every version records.
OLD = {"hidden": [4], "activation": "relu", "output_activation": "softmax", "loss": "cross_entropy", "epochs": 1,
       "batch_size": 8, "learning_rate": 0.1, "seed": 0, "limit": None, "data": None, "workers": 1,
       "reproducible": True}


def test_every_default_follows_its_own_rule_and_the_defaults_make_the_default_run():
    for setting in SETTINGS.values():
        assert setting.check(setting.default) == setting.default
    assert repr(Recipe()) == "Recipe()"
    recipe = Recipe()
    assert (recipe.hidden, recipe.epochs, recipe.batch_size, recipe.eta, recipe.optimizer) == ([100], 10, 32, 0.1, "sgd")


def test_the_table_names_each_setting_once_in_code_and_by_its_option_in_files():
    assert SETTINGS["eta"].option == "--learning-rate" and SETTINGS["eta"].key == "learning_rate"
    assert [s.key for s in SETTINGS.values() if s.key != s.name] == ["learning_rate"]
    assert {s.name: s.hyperparameter for s in SETTINGS.values() if s.hyperparameter} == \
        {"momentum": "mu", "beta1": "b1", "beta2": "b2", "epsilon": "eps", "rho": "rho"}
    assert set(optimizers.RANGES) - {"weight_decay"} == {s.hyperparameter for s in SETTINGS.values()
                                                         if s.hyperparameter}
    assert USED_BY["beta1"] == ("optimizer", ("adam",)) and USED_BY["momentum"] == ("optimizer", ("momentum",
                                                                                                   "nesterov"))


def test_a_recipe_prints_what_differs_from_the_defaults_and_compares_by_its_settings():
    recipe = Recipe(hidden=[32], eta=0.05, optimizer="adam", beta1=0.8)
    assert repr(recipe) == "Recipe(hidden=[32], eta=0.05, optimizer='adam', beta1=0.8)"
    assert recipe == Recipe(optimizer="adam", beta1=0.8, hidden=[32], eta=0.05) != Recipe(hidden=[32])
    assert Recipe().hidden is not Recipe().hidden  # the default list is not shared


@pytest.mark.parametrize("settings, message", [
    ({"learning_rate": 0.1}, "a recipe has no setting 'learning_rate': use one of hidden, layers"),
    ({"eta": 0}, r"^the learning rate eta must be a number > 0, typically 0.1 to 0.001; got 0$"),
    ({"eta": float("nan")}, "got nan"),
    ({"eta": True}, "got True"),
    ({"epochs": 2.5}, "epochs must be a whole number >= 1; got 2.5"),
    ({"batch_size": 0}, "the batch size must be a whole number >= 1"),
    ({"seed": "1"}, "the seed must be a whole number; got '1'"),
    ({"hidden": 100}, "the hidden layer sizes must be whole numbers >= 1"),
    ({"hidden": [100, 0]}, "got \\[100, 0\\]"),
    ({"activation": "softmax"}, "the hidden activation must be one of identity, relu, sigmoid, tanh"),
    ({"loss": "hinge"}, "the loss must be one of mse, cross_entropy"),
    ({"optimizer": "lion"}, "the optimizer must be one of sgd, momentum, nesterov, adagrad, rmsprop, adam"),
    ({"optimizer": "adam", "beta2": 1.0}, "beta2, Adam's decay of s, must be in \\[0, 1\\)"),
    ({"weight_decay": -1e-4}, "the weight decay lambda must be >= 0 and < 1"),
    ({"dropout": 1.0}, "dropout P is the probability of dropping a node"),
    ({"lr_schedule": "step", "lr_step": 0}, "the step schedule's STEP \\(epochs between cuts\\) must be a whole"),
    ({"lr_schedule": "step", "lr_gamma": 1}, "the step schedule's GAMMA .* must be > 0 and < 1"),
    ({"lr_schedule": "cosine", "lr_epochs": 0}, "the cosine schedule's length E must be a whole number >= 1"),
    ({"reproducible": 1}, "reproducible must be true or false"),
    ({"layers": "conv8x5,blur3"}, "--layers: cannot read 'blur3'"),
    ({"layers": "dense10,dropout0.5", "dropout": 0.2}, "--dropout 0.2 puts a dropout layer after every hidden"),
])
def test_a_setting_that_cannot_run_is_refused_in_one_line(settings, message):
    with pytest.raises(NnloopError, match=message) as e:
        Recipe(**settings)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("settings, message", [
    ({"lr_step": 5}, "--lr-step is a setting of the step schedule, which --lr-schedule constant does not use: "
                     "leave it out or choose --lr-schedule step"),
    ({"lr_schedule": "step", "lr_epochs": 5}, "--lr-epochs is a setting of the cosine schedule"),
    ({"lr_schedule": "cosine", "lr_gamma": 0.3}, "--lr-gamma is a setting of the step schedule"),
    ({"decay": "decoupled"}, "--decay says how weight decay is applied, but there is none"),
    ({"decay": "coupled", "weight_decay": 0.0}, "but there is none"),
    ({"beta1": 0.9}, "--beta1 is a setting of adam, which --optimizer sgd does not use: leave it out or choose "
                     "--optimizer adam"),
    ({"optimizer": "momentum", "rho": 0.9}, "--rho is a setting of rmsprop"),
    ({"hidden": [5], "layers": "dense5"}, "--hidden and --layers both say what the hidden layers are"),
])
def test_a_setting_the_run_would_not_use_is_refused(settings, message):
    with pytest.raises(NnloopError, match=message):
        Recipe(**settings)


def test_settings_the_run_uses_pass():
    Recipe(lr_schedule="step", lr_step=5, lr_gamma=0.1)
    Recipe(lr_schedule="cosine", lr_epochs=5, decay="decoupled", weight_decay=1e-4)
    Recipe(optimizer="nesterov", momentum=0.5)
    assert Recipe(layers="conv2x5,maxpool2,dropout0.25,dense10").layers == "conv2x5,maxpool2,dropout0.25,dense10"


def test_a_cosine_schedule_s_length_is_the_run_s_epochs_unless_given():
    assert Recipe(lr_schedule="cosine", epochs=4).lr_epochs == 4
    assert Recipe(lr_schedule="cosine", epochs=4, lr_epochs=2).lr_epochs == 2
    assert Recipe(epochs=4).lr_epochs is None


def test_eta_at_follows_the_run_s_schedule():
    recipe = Recipe(eta=0.2, lr_schedule="step", lr_step=2, lr_gamma=0.1)
    assert [round(recipe.eta_at(e), 12) for e in range(5)] == [0.2, 0.2, 0.02, 0.02, 0.002]
    assert Recipe(eta=0.3).eta_at(7) == 0.3


def test_the_network_is_the_dense_hidden_layers_or_the_architecture():
    dense = Recipe(hidden=[7, 5], activation="tanh").new_network(784, 10)
    assert dense.sizes == [784, 7, 5, 10] and dense.activations[1:] == ["tanh", "tanh", "softmax"]
    assert Recipe(hidden=[7]).new_network((1, 28, 28), 10).sizes == [784, 7, 10]
    conv = Recipe(layers="conv2x5,maxpool2", seed=3).new_network((1, 28, 28), 10)
    assert conv.shape_name() == "1x28x28-2x24x24-2x12x12-288-10"
    assert conv.layers[1].W == Recipe(layers="conv2x5,maxpool2", seed=3).new_network((1, 28, 28), 10).layers[1].W


def test_the_optimizer_has_the_recipe_s_settings_and_its_own_defaults_for_the_rest():
    net = Recipe(hidden=[3]).new_network(4, 2)
    assert repr(Recipe(optimizer="adam", beta1=0.8, weight_decay=1e-4, decay="decoupled").new_optimizer(net)) == \
        "Adam(b1=0.8, b2=0.999, eps=1e-08, weight_decay=0.0001 (decoupled), t=0)"
    assert repr(Recipe().new_optimizer(net)) == "SGD(t=0)"


def test_the_learning_phrase_names_only_what_differs_from_plain_sgd():
    assert Recipe().learning_phrase() == "learning rate 0.1"
    assert Recipe(optimizer="adam", eta=0.001, lr_schedule="cosine", weight_decay=1e-4, decay="decoupled",
                  dropout=0.5).learning_phrase() == \
        "adam, learning rate 0.001 (cosine schedule), decoupled weight decay 0.0001, dropout 0.5"


def test_the_model_file_records_every_setting_under_its_option_s_name_and_reads_it_back():
    recipe = Recipe(hidden=[16], eta=0.05, optimizer="momentum", momentum=0.5, lr_schedule="cosine", limit=100)
    document = json.loads(json.dumps(recipe.to_document()))
    assert list(document) == [s.key for s in SETTINGS.values()]
    assert document["learning_rate"] == 0.05 and "eta" not in document
    assert Recipe.from_document(document, "m.json") == recipe


def test_a_file_of_the_first_version_reads_with_the_defaults_its_runs_had():
    recipe = Recipe.from_document(copy.deepcopy(OLD), "old.json")
    assert recipe == Recipe(hidden=[4], epochs=1, batch_size=8, reproducible=True)
    assert (recipe.optimizer, recipe.lr_schedule, recipe.dropout) == ("sgd", "constant", 0.0)


def test_the_shipped_version_1_model_file_reads_as_the_recipe_it_was_made_with():
    path = os.path.join(ROOT, "tests", "models", "v1-784-4-10.json")
    with open(path) as f:
        arguments = json.load(f)["training"]["arguments"]
    assert Recipe.from_document(arguments, path) == Recipe(hidden=[4], epochs=3, limit=500, reproducible=True,
                                                           optimizer="momentum")
    assert "layers" not in arguments  # newer than the file: written back with the default its run had
    assert Recipe.from_document(arguments, path).to_document() == {**arguments, "layers": None}


def test_a_file_may_hold_settings_a_newer_nnloop_records():
    assert Recipe.from_document({**OLD, "label_smoothing": 0.1}, "new.json").eta == 0.1


@pytest.mark.parametrize("change, message", [
    (lambda a: a.pop("batch_size"), r"^m\.json is a damaged nnloop model file: \"training.arguments\" has no "
                                    r"\"batch_size\", which every run records"),
    (lambda a: a.update(learning_rate="0.1"), r"^m\.json: \"training.arguments.learning_rate\": the learning rate eta "
                                              r"must be a number > 0, typically 0.1 to 0.001; got '0.1': put back"),
    (lambda a: a.update(limit=0), r"\"training.arguments.limit\": limit must be a whole number >= 1 or None; got 0"),
    (lambda a: a.update(optimizer="sgd", beta1=0.5), r"^m\.json: \"training.arguments\": --beta1 is a setting of adam"),
    (lambda a: a.update(layers="conv8x5,blur3"), r"\"training.arguments\": --layers: cannot read 'blur3'"),
])
def test_a_damaged_recorded_recipe_is_refused_naming_the_key(change, message):
    arguments = copy.deepcopy(OLD)
    change(arguments)
    with pytest.raises(NnloopError, match=message) as e:
        Recipe.from_document(arguments, "m.json")
    assert "\n" not in str(e.value)


def test_a_recorded_run_keeps_settings_it_does_not_use():
    """A file records every setting, used or not: lr_step 10 of a constant schedule is no contradiction."""
    assert Recipe.from_document({**OLD, "lr_schedule": "constant", "lr_step": 10, "decay": "coupled"}, "m.json") == \
        Recipe.from_document(OLD, "m.json")


def test_resume_may_change_only_what_does_not_make_another_run():
    recorded = Recipe(hidden=[4], epochs=2, optimizer="momentum", eta=0.05)
    resumed = recorded.resumed({"epochs": 5, "workers": 2, "data": "d", "reproducible": True, "eta": 0.05}, "m.json")
    assert resumed == Recipe(hidden=[4], epochs=5, optimizer="momentum", eta=0.05, workers=2, data="d",
                             reproducible=True)
    assert recorded.epochs == 2  # the recorded recipe itself is left as it was
    with pytest.raises(NnloopError, match=r"^--learning-rate 0.5 differs from the run in m.json \(which has 0.05\); "
                                          r"--resume continues that run: leave --learning-rate out$"):
        recorded.resumed({"eta": 0.5}, "m.json")
    with pytest.raises(NnloopError, match=r"--momentum 0.5 differs .* \(which has the default 0.9\)"):
        recorded.resumed({"momentum": 0.5}, "m.json")
    with pytest.raises(NnloopError, match=r"--lr-epochs 3 differs .* \(which did not set it\)"):
        recorded.resumed({"lr_epochs": 3}, "m.json")
    with pytest.raises(NnloopError, match="epochs must be a whole number >= 1"):
        recorded.resumed({"epochs": 0}, "m.json")


RECIPES = st.fixed_dictionaries({}, optional={
    "hidden": st.lists(st.integers(1, 50), max_size=3),
    "epochs": st.integers(1, 30),
    "batch_size": st.integers(1, 512),
    "eta": st.floats(1e-6, 10.0),
    "seed": st.integers(-10, 10 ** 6),
    "limit": st.none() | st.integers(1, 60000),
    "workers": st.integers(1, 4),
    "optimizer": st.sampled_from(["sgd", "adagrad"]),
    "weight_decay": st.floats(0.0, 0.5),
    "dropout": st.floats(0.0, 0.9),
    "lr_schedule": st.sampled_from(["constant", "cosine"]),
})


@settings(max_examples=60, deadline=None)
@given(RECIPES)
def test_any_recipe_goes_through_its_model_file_unchanged(settings):
    recipe = Recipe(**settings)
    assert Recipe.from_document(json.loads(json.dumps(recipe.to_document())), "m.json") == recipe
    assert eval(repr(recipe), {"Recipe": Recipe}) == recipe  # the repr is the recipe, as Python


def test_hidden_and_layers_together_are_refused():
    check_one_architecture([100], None)
    check_one_architecture(None, "dense5")
    with pytest.raises(NnloopError, match="--hidden and --layers both say what the hidden layers are"):
        check_one_architecture([100], "dense5")
