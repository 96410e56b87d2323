"""What every stage uses: atomic writes, output folders, processes and signals, the terminal, progress, other packages'
entry points."""
