"""Networks and passes shown as diagrams in a notebook, by the protocol Jupyter asks objects for.

Jupyter shows an object by calling its _repr_html_ (or _repr_svg_) if it has
one, and falls back to repr() otherwise; nothing here imports IPython. A
Network shows nnloop draw's diagram of its weights (Network._repr_svg_);
a Pass shows one sample's forward, backward or update values in it:

    net = Network.with_parameters(...)    # in a cell by itself: the diagram
    p = Pass(net, x=[2, 3, 1], T=[20])    # the forward pass: A and H in the nodes
    p.backward                            # delta, back and dW; p.update the step

repr() stays plain text, for pdb and the terminal.

>>> from nnloop.network import Network
>>> net = Network.with_parameters(W=[[], [[3, 1, 2], [-2, -3, -1]], [[3, 2]]], B=[[], [0, 0], [0]],
...                               activations=["relu", "identity"], loss="mse")
>>> p = Pass(net, [2.0, 3.0, 1.0], [20.0], eta=0.001)
>>> p
forward pass of the 3-2-1 network: Y = [33], loss 169
>>> p.backward.v.delta[1], p.update
([78.0, 0.0], update pass of the 3-2-1 network: Y = [33], loss 169 before the step, 44.2574 after it)
>>> p._repr_svg_().startswith("<svg")
True
"""
from ..errors import NnloopError
from . import draw
from .values import compute, num


class Pass:
    """One sample (x, T) through net: forward, backward and one step of rate eta, as nnloop trace computes it.

    v, g       the engine's NodeValues (A, H, delta, back) and Gradients (dW, dB) of the sample
    Y, loss    the output and the loss; computed all of values.compute's numbers
    show       which pass the diagram shows: "forward", "backward" or "update"
    forward, backward, update   the same Pass, showing that pass
    """

    def __init__(self, net, x, T, eta=0.001, optimizer=None, show="forward", computed=None):
        if show not in draw.PASSES:
            raise NnloopError(f"show must be one of {', '.join(draw.PASSES)}; got {show!r}")
        self.net, self.x, self.T, self.eta, self.show = net, x, T, eta, show
        self.computed = computed or compute(net, x, T, eta, optimizer)
        self.v, self.g, self.Y, self.loss = self.computed.v, self.computed.g, self.computed.Y, self.computed.loss

    def showing(self, pass_):
        """This Pass, showing pass_ (its numbers are not computed again)."""
        return Pass(self.net, self.x, self.T, self.eta, show=pass_, computed=self.computed)

    @property
    def forward(self):
        return self.showing("forward")

    @property
    def backward(self):
        return self.showing("backward")

    @property
    def update(self):
        return self.showing("update")

    def __repr__(self):
        loss = f"loss {num(self.loss)}"
        if self.show == "update":
            loss += f" before the step, {num(self.computed.loss_after)} after it"
        Y = "[" + ", ".join(num(y) for y in self.Y[:10]) + (", ..." if len(self.Y) > 10 else "") + "]"
        return f"{self.show} pass of the {self.net.shape_name()} network: Y = {Y}, {loss}"

    def _repr_svg_(self):
        """nnloop draw --pass's picture of this pass."""
        return draw.picture(self.net, self.computed, self.T, self.show, f"{self.show} pass")

    def _repr_html_(self):
        return html(self._repr_svg_())


def html(picture):
    """An SVG picture as HTML for a notebook's output: scrolled sideways when wider than the page."""
    return f'<div style="overflow-x: auto">{picture}</div>'
