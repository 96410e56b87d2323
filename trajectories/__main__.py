"""``python -m trajectories``: the same command line as ``trajectories``, with the same exit statuses."""

from .cli.main import main

if __name__ == "__main__":
    main()
