"""`nnloop train`: its help text, `add_train` which declares its options, and
`run_train` which carries it out."""
import argparse

from ..files import mnist
from ..learning.recipe import FILES, GROUPS, SETTINGS, Recipe
from .options import check_layers, option_type
from .report import make_report

TRAIN_HELP = """\
Train a network on MNIST by minibatch stochastic gradient descent.

Each epoch shuffles the training digits, and each minibatch of them runs
forward and backward one digit at a time, adding up every digit's
gradients; then every weight moves against the minibatch's mean gradient:
W -= eta * dW / batch_size (plain SGD, the default; --optimizer takes
momentum, Adam and others, see the optimizer options below).

The model file is rewritten after every epoch, so Ctrl-C loses at most the
epoch in progress; --resume continues from the file as if never stopped.
"""

TRAIN_EXAMPLES = """\
examples:
  nnloop train                              the default: 97.68% on the test digits
  nnloop train --limit 1000 --epochs 3 -o models/quick.json    a quick look on 1,000 digits
  nnloop train --hidden 128,64 -o models/deep.json             two hidden layers
  nnloop train --batch-size 1 --learning-rate 0.01 -o models/online.json    online learning
  nnloop train --workers 2 --batch-size 128 -o models/w2.json  two processes share each minibatch
  nnloop train --resume models/mnist.json --epochs 20     10 more epochs of the default run
  nnloop train --optimizer adam --learning-rate 0.001 --lr-schedule cosine
  nnloop train --hidden 256 --optimizer momentum --learning-rate 0.05 --lr-schedule cosine \\
      --epochs 6 -o models/momentum-256.json   98.41% on the test digits, in 72 s under PyPy
"""


def add_train(commands):
    train = commands.add_parser("train", help="train a network on MNIST", description=TRAIN_HELP,
                                epilog=TRAIN_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    groups = {name: train.add_argument_group(name) for name in GROUPS}
    for setting in SETTINGS.values():  # the recipe's settings, as nnloop.learning.recipe declares them
        words = setting.help.format(default=setting.shown_default())
        if setting.parse is None and setting.choices is None:  # a flag
            groups[setting.group].add_argument(setting.option, dest=setting.name, action="store_const", const=True,
                                               help=words)
        else:
            groups[setting.group].add_argument(setting.option, *setting.aliases, dest=setting.name,
                                               type=setting.parse and option_type(setting), choices=setting.choices,
                                               metavar=setting.metavar, help=words)
    files = groups[FILES]
    files.add_argument("-o", "--output", metavar="MODEL",
                       help="model file to write after every epoch (default models/mnist.json)")
    files.add_argument("--resume", metavar="MODEL",
                       help="continue the run saved in MODEL (and keep saving there unless -o says otherwise)")
    files.add_argument("--force", action="store_true",
                       help="let this run replace an existing file at -o or --report (by default a run refuses "
                            "to, since the file may be another run's model)")
    files.add_argument("--report", metavar="HTML",
                       help="when training is done, write the report of nnloop report there")
    train.set_defaults(run=run_train)


def run_train(args):
    from .outputs import check_not_a_model, check_other_run, check_output
    from ..sizes import check_network, check_workers
    from .trainer import Run, train_mnist
    given = {name: getattr(args, name) for name in SETTINGS if getattr(args, name) is not None}
    output = args.output or args.resume or "models/mnist.json"
    # every check before the first epoch, so that a refusal leaves every file as it was
    check_output(output)
    check_other_run(output, args.force, args.resume)
    if args.workers:
        check_workers(args.workers)
    if args.report:
        check_output(args.report, [output, args.resume], option="--report")
        check_not_a_model(args.report, "--report", args.force)
    if args.resume:
        run = Run.resume(args.resume, given)
    else:
        recipe = Recipe(**given)
        if recipe.layers:
            check_layers(recipe.layers, recipe.activation)
        else:
            check_network([784] + recipe.hidden + [mnist.CLASSES], f"--hidden {','.join(map(str, recipe.hidden))}",
                          samples=min(recipe.limit or 60000, 60000))
        run = Run.start(recipe)
    status = train_mnist(run, output)
    if status == 0 and args.report:
        make_report(output, args.report, args.data)
    return status
