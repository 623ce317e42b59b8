"""`nnloop bench`: its help text, `add_bench` which declares its options, and
`run_bench` which carries it out."""
from ..files import mnist
from .options import (DATA_HELP, architecture, check_layers, layer_sizes, positive_int,
                      positive_ints)

BENCH_HELP = ("Time SGD training, and separately inference, on real MNIST digits: one warm-up epoch, then one "
              "timed epoch, per batch size and worker count. Compare ratios within one session; run it under "
              "python3 and pypy3 to compare interpreters.")


def add_bench(commands):
    bench = commands.add_parser("bench", help="time training and inference on MNIST digits", description=BENCH_HELP)
    bench.add_argument("--hidden", type=layer_sizes, metavar="SIZES",
                       help="hidden layer sizes, comma separated (default 100)")
    bench.add_argument("--layers", type=architecture, metavar="LAYERS",
                       help="time a convnet of these layers instead, as nnloop train --layers takes them, e.g. "
                            "conv8x5,maxpool2,dense100")
    bench.add_argument("--batch-size", type=positive_ints, default=[32], metavar="K[,K...]",
                       help="minibatch sizes to time, comma separated (default 32)")
    bench.add_argument("--workers", type=positive_ints, default=[1], metavar="N[,N...]",
                       help="worker process counts to time, comma separated (default 1)")
    bench.add_argument("--samples", type=positive_int, default=5000, metavar="N",
                       help="digits per timed epoch (default 5000)")
    bench.add_argument("--json", action="store_true", help="one JSON object per measurement instead of a table")
    bench.add_argument("--profile", action="store_true",
                       help="instead, where one training epoch's time goes: each layer's forward and backward, "
                            "and the rest, as shares of the epoch (one process, the first --batch-size)")
    bench.add_argument("--data", metavar="DIR", help=DATA_HELP)
    bench.set_defaults(run=run_bench)


def run_bench(args):
    from ..learning.recipe import check_one_architecture
    from ..tools.bench import run
    from ..sizes import check_network, check_workers
    for workers in args.workers:
        check_workers(workers)
    check_one_architecture(args.hidden, args.layers)
    hidden = [100] if args.hidden is None else args.hidden
    if args.layers:
        check_layers(args.layers)
    else:
        check_network([784] + hidden + [mnist.CLASSES], f"--hidden {','.join(map(str, hidden))}",
                      samples=2 * args.samples * len(args.batch_size) * len(args.workers))
    if args.profile:
        from ..errors import NnloopError
        from ..tools.bench import profile
        if args.json or args.workers != [1]:
            raise NnloopError("--profile times one process and prints a table: drop --json and --workers")
        train, _ = mnist.load(args.data or mnist.BUNDLED)
        profile(train.first(args.samples), hidden, args.layers, args.batch_size[0])
        return 0
    run(hidden, args.batch_size, args.workers, args.samples, args.json, args.data or mnist.BUNDLED,
        layers=args.layers)
    return 0
