"""Learning: the minibatch step, the optimizers, learning-rate schedules, dropout, worker processes and accuracy."""
