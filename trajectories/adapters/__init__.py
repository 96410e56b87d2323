"""Optimizers and surfaces from other libraries: ``torch.optim``, optax, autodiff surfaces, plugins."""
