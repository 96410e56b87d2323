"""The numeric core of the network scenes: the article's optimizers training a small neural network, all
racers as one batch of networks, and the planes on which their paths and the network's loss surface are
drawn. No matplotlib here; every number is the same bits on every CPU (``arithmetic``).

- ``models``, ``activations``, ``losses``: logistic regression and MLPs, their flat parameter layout and
  seeded initial weights, spec text such as ``mlp:2-16-16-1:tanh`` (``spec_text``: what every spec shares);
  ``bounds``: how large they may be.
- ``data``, ``datasets``, ``csv_data``: generated datasets (``moons:n=400,noise=0.2``) and CSV files, split
  into training and validation samples.
- ``arithmetic``, ``backprop``, ``evaluation``: exp, log and fixed-order sums from exact operations; forward
  and backward passes of ``(R, P)`` networks at once; losses and accuracies of many networks.
- ``training``, ``horizon``: a race trained as one batch (any optimizer, schedule or adapter); the
  reproducibility horizons of its paths.
- ``principal``, ``projection``, ``landscape``: PCA; planes chosen by ``pca``, ``random`` (filter-normalised)
  or ``plane``; loss grids on a plane and decision grids over the inputs.

``docs/network-design.md`` gives the layout, the conventions and what the scene kind ``network`` will need.
"""
