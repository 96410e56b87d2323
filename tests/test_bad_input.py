"""Every kind of bad input, through the command line, in one table: one line on stderr, exit status 2, no
traceback, and nothing written or changed (not even ``output/``).

Each row is ``(id, arguments, a part of the message)``. The test runs in a folder holding a few
prepared files (scene files, a CSV, an image); the files' bytes must be the same afterwards. ``run`` rows
without ``-o`` write to ``keep.json``, an existing file that must survive. Other test files add their own
topic's rows through :func:`assert_refused`.
"""

import os
import sys

import pytest
from click.testing import CliRunner

from trajectories.cli.main import cli

from .adapter_support import require

RUN = ["run", "--surface", "sphere", "--optimizer", "adam"]
LONG_NAME = "x" * 300 + ".gif"
NET = ["render", "--optimizer", "adam:lr=0.01", "--steps", "2", "--network"]
NET_TOML = 'steps = 2\n[[optimizers]]\nname = "adam"\n[network]\nmodel = "mlp:2-4-1"\n'


CASES = [
    # unknown names
    ("unknown surface", ["run", "--surface", "rosenbrok", "--optimizer", "adam"], "did you mean 'rosenbrock'"),
    ("unknown surface, no match", ["run", "--surface", "nope", "--optimizer", "adam"], "unknown surface 'nope'"),
    ("unknown optimizer", ["run", "--surface", "sphere", "--optimizer", "adamm"], "unknown optimizer 'adamm'"),
    ("unknown hyperparameter", [*RUN[:-1], "adam:momentum=1"], "'momentum'"),
    ("unknown scene", ["render", "no_such_scene"], "unknown scene 'no_such_scene'"),
    ("unknown command", ["frobnicate"], "No such command"),
    ("unknown describe", ["describe", "nothing_here"], "no built-in scene 'nothing_here'"),
    ("missing scene file", ["render", "nofile.py"], "no scene file nofile.py"),
    # formulas that are not allowed
    ("hostile formula", ["run", "--surface", "__import__('os').getcwd()", "--optimizer", "adam"], "unknown function"),
    ("huge power", ["run", "--surface", "9**9**9", "--optimizer", "adam"], "exponent must be at most 100"),
    ("attribute", ["render", "--surface", "x.real", "--optimizer", "adam"], "attribute access not allowed"),
    ("formula with a warning", ["run", "--surface", "3if x", "--optimizer", "adam"], "invalid formula"),
    # malformed or non-finite numbers
    ("malformed lr", [*RUN[:-1], "adam:lr=1e"], "lr must be a number"),
    ("malformed render lr", ["render", "--surface", "sphere", "--optimizer", "adam:lr=x"], "lr must be a number"),
    ("nan lr", [*RUN[:-1], "adam:lr=nan"], "must be a finite number"),
    ("malformed start", [*RUN, "--start", "1;2"], "two numbers"),
    ("one-number start", [*RUN, "--start", "1"], "expected two numbers"),
    ("infinite start", [*RUN, "--start", "inf,0"], "coordinates must be finite"),
    ("malformed window", ["run", "--surface", "x**2", "--optimizer", "adam", "--window", "1,2,3"], "four numbers"),
    ("empty window", ["run", "--surface", "x**2", "--optimizer", "adam", "--window", "1,1,0,1"], "X0 < X1"),
    ("nan window", ["render", "--surface", "x**2", "--optimizer", "adam", "--window", "0,nan,0,1"], "finite"),
    ("malformed size", ["render", "rosenbrock", "--size", "640by480"], "WIDTHxHEIGHT"),
    ("malformed steps", [*RUN, "--steps", "ten"], "'--steps': must be a whole number from 1 to 1000000, got 'ten'"),
    ("malformed tolerance", ["compare", "a.gif", "b.gif", "--tolerance", "lots"], "'--tolerance'"),
    ("nan noise", [*RUN, "--noise", "nan"], "'--noise': must be a number from 0 to 1000000, got nan"),
    # a start outside the window
    ("start outside", [*RUN, "--start", "3,0"], "outside sphere's window"),
    ("start outside formula", ["render", "--surface", "x**2+y**2", "--optimizer", "adam", "--start", "4,0"],
     "outside the window"),
    ("start outside ad hoc", ["render", "--surface", "sphere", "--optimizer", "adam", "--start", "5,5"],
     "start (5, 5) is outside the window"),
    # counts and sizes out of range (the options table's bounds)
    ("zero steps", [*RUN, "--steps", "0"], "'--steps': must be a whole number from 1"),
    ("negative steps", ["render", "--surface", "sphere", "--optimizer", "adam", "--steps", "-5"], "'--steps'"),
    ("zero fps", ["render", "rosenbrock", "--fps", "0"], "'--fps': must be a whole number from 1 to 50, got 0"),
    ("fast fps", ["render", "rosenbrock", "--fps", "60"], "'--fps': must be a whole number from 1 to 50, got 60"),
    ("zero frames", ["render", "rosenbrock", "--frames", "0"], "'--frames'"),
    ("zero size", ["render", "rosenbrock", "--size", "0x480"], "'--size': must be (width, height) in pixels"),
    ("tiny size", ["render", "rosenbrock", "--size", "10x10"], "from 64 to 4096 each, got 10x10"),
    ("negative dpi", ["render", "rosenbrock", "--dpi", "-3"], "'--dpi'"),
    ("negative hold", ["render", "rosenbrock", "--hold", "-1"], "'--hold': must be a number from 0 to 60"),
    ("negative batch", ["run", "--surface", "regression", "--optimizer", "sgd", "--batch-size", "-1"],
     "'--batch-size'"),
    ("batch over the data", ["run", "--surface", "regression", "--optimizer", "adam", "--batch-size", "5000"],
     "between 1 and"),
    ("negative noise", [*RUN, "--noise", "-1"], "'--noise'"),
    ("noise on data", ["run", "--surface", "regression", "--optimizer", "adam", "--noise", "1"], "not sigma"),
    # choices (the options table's, the format registry's)
    ("unknown trail", ["render", "rosenbrock", "--trail", "sparkle"], "'--trail': must be one of full, tail, fade"),
    ("unknown theme", ["render", "rosenbrock", "--theme", "neon"], "must be one of light, dark, article"),
    ("unknown palette", ["render", "rosenbrock", "--palette", "neon"], "must be one of default, article"),
    ("unknown format", ["render", "rosenbrock", "--format", "avi"], "'--format'"),
    ("unknown run format", [*RUN, "--format", "xml"], "'--format'"),
    ("unknown arithmetic", [*RUN, "--arithmetic", "exact"], "'--arithmetic'"),
    ("unknown render arithmetic", ["render", "rosenbrock", "--arithmetic", "float32"], "'--arithmetic'"),
    ("no ffmpeg", ["render", "rosenbrock", "--format", "mp4"], 'pip install ".[mp4]" in the source folder'),
    # options that do not go together
    ("nothing to render", ["render"], "name the scenes to render, or give --all"),
    ("missing optimizer", ["run", "--surface", "sphere"], "Missing option '--optimizer'"),
    ("ad hoc without optimizer", ["render", "--surface", "sphere"], "needs at least one --optimizer"),
    ("scene and ad hoc", ["render", "rosenbrock", "--surface", "sphere", "--optimizer", "adam"], "give no SCENE"),
    ("optimizer without surface", ["render", "rosenbrock", "--optimizer", "adam"], "go with --surface"),
    ("-o with --all", ["render", "--all", "-o", "x.gif"], "-o and --paths take one scene"),
    ("trail on a series", ["render", "fig5_ewa", "--trail", "tail"], "--trail does not apply to fig5_ewa"),
    ("column without series", ["render", "rosenbrock", "--column", "Close"], "reads a series for one series"),
    # output that cannot be written, or would overwrite an input
    ("folder under a file", [*RUN, "-o", "a_file/nope/x.json"], "a_file is a file, not a folder"),
    ("folder in an unwritable one", [*RUN, "-o", "/proc/sys/nope/x.json"], "folder /proc/sys is not writable"),
    ("folder is a file", ["render", "rosenbrock", "-o", "a_file/x.gif"], "a_file is a file, not a folder"),
    ("out-dir under a file", ["render", "rosenbrock", "--out-dir", "a_file/nope"], "a_file is a file, not a folder"),
    ("new -o folder, bad option", ["render", "rosenbrock", "-o", "new/x.gif", "--fps", "0"], "'--fps'"),
    ("new folder, nothing to draw", ["render", "fig5_ewa", "--out-dir", "new", "--series", "prices.csv",
                                     "--column", "Nope"], "Nope"),
    ("new --dir in a file", ["new", "x", "--dir", "a_file/nope"], "a_file is a file, not a folder"),
    ("unknown scene, close", ["render", "rosenbrok"], "unknown scene 'rosenbrok'; did you mean 'rosenbrock'?"),
    ("unknown scene in a file, close", ["render", "mine.py:ss"], "mine.py has no scene 'ss'; did you mean 's'?"),
    ("output is a folder", ["render", "rosenbrock", "-o", "a_folder"], "is a directory"),
    ("empty output name", ["render", "rosenbrock", "-o", ""], "the file name is empty"),
    ("empty run output name", [*RUN, "-o", ""], "the file name is empty"),
    ("NUL in output name", ["render", "rosenbrock", "-o", "a\0b.gif"], "a file name cannot hold a NUL character"),
    ("NUL in scene name", ["render", "a\0b.py"], "no scene file"),
    ("NUL in compared file", ["compare", "a\0.gif", "b.gif"], "a file name cannot hold a NUL character"),
    ("NUL in a spec", [*RUN[:-1], "ad\0am"], "one line of printable text"),
    ("output in /proc", ["render", "rosenbrock", "-o", "/proc/x.gif"], "cannot write in folder /proc"),
    ("out-dir not writable", ["render", "rosenbrock", "--out-dir", "/proc/sys"], "is not writable"),
    ("overlong output name", ["render", "rosenbrock", "-o", LONG_NAME], "bytes long; the file system allows"),
    ("a network race's --paths", ["render", "network_race", "--paths", "paths.json"],
     "a network race's paths are parameter vectors"),
    ("-o and --paths alike", ["render", "rosenbrock", "-o", "a.gif", "--paths", "a.gif"], "name the same file"),
    ("-o is the scene file", ["render", "mine.py", "--format", "gif", "-o", "mine.py"],
     "an output never overwrites an input"),
    ("-o is the series", ["render", "fig5_ewa", "--series", "prices.csv", "--column", "Close", "--format", "gif", "-o",
                          "prices.csv"],
     "an output never overwrites an input"),
    ("toml output outside", ["render", "escape.toml"], "must stay inside the scene file's folder"),
    ("toml output absolute", ["render", "absolute.toml"], "must stay inside the scene file's folder"),
    # corrupt scene files
    ("python syntax", ["render", "broken.py"], "broken.py:2: SyntaxError"),
    ("python error", ["render", "raises.py"], "raises.py:3: NameError"),
    ("bad scene value", ["render", "badvalue.py"], "badvalue.py:2: adam: lr must be a finite number >= 0"),
    ("toml syntax", ["render", "broken.toml"], "not valid TOML"),
    ("toml values", ["render", "badvalues.toml"], "2 problems: steps: must be a whole number"),
    ("toml unknown theme", ["render", "badtheme.toml"], "view.theme: must be one of light, dark, article"),
    # learning-rate schedules (issue 13)
    ("unknown schedule", [*RUN[:-1], "adam@cosin:T_max=9"], "unknown schedule 'cosin'"),
    ("schedule key torch lacks", [*RUN[:-1], "adam@cosine:T_max=9,gamma=2"], "CosineAnnealingLR has no parameter"),
    ("schedule without its required key", ["render", "--surface", "sphere", "--optimizer", "adam@step"],
     "step_size is required"),
    ("schedule after an endless one", [*RUN[:-1], "adam@exponential:gamma=0.9@cosine:T_max=9"], "put it last"),
    ("one-cycle past its steps", [*RUN[:-1], "adam@onecycle:max_lr=1,total_steps=5", "--steps", "6"],
     "more than its 5 total steps"),
    ("toml schedule", ["render", "badschedule.toml"], "optimizers[0].schedule: unknown schedule 'warmup'"),
    ("unknown overlay", ["render", "rosenbrock", "--overlay", "gradient,momentum"],
     "must be a list of names from gradient, step, velocity, adaptive"),
    ("overlay twice", ["render", "rosenbrock", "--overlay", "step,step"], "a list of names"),
    ("unknown state panel", ["render", "rosenbrock", "--state-panel", "nu"], "must be one of gradient, step"),
    # fair tuning (issue 13)
    ("tune no trials", ["tune", "--surface", "sphere", "--optimizer", "adam", "--trials", "0"],
     "--trials must be a whole number from 1 to 10000, got 0"),
    ("tune reversed range", ["tune", "--surface", "sphere", "--optimizer", "adam", "--param", "lr=1..1e-5"],
     "the range must go up"),
    ("tune log range not positive", ["tune", "--surface", "sphere", "--optimizer", "adam", "--param", "lr=0..1,log"],
     "a log range must be positive"),
    ("tune unknown metric", ["tune", "--surface", "sphere", "--optimizer", "adam", "--metric", "best"],
     "--metric must be final"),
    ("tune a fixed lr", ["tune", "--surface", "sphere", "--optimizer", "adam:lr=0.1"], "lr is what tune searches"),
    # optimizers from torch and optax (CI installs both extras)
    ("torch module missing", [*RUN[:-1], "torch:torch.no_such_module.Opt"], "torch has no attribute 'no_such_module'"),
    ("torch not an optimizer", [*RUN[:-1], "torch:torch.nn.Linear"], "is not a torch.optim.Optimizer subclass"),
    ("torch unknown keyword", [*RUN[:-1], "torch:torch.optim.SGD:lr=0.1,mometum=0.9"], "takes no keyword 'mometum'"),
    ("torch bad value", ["render", "--surface", "sphere", "--optimizer", "torch:torch.optim.Adam:betas=(2,0.9)"],
     "Invalid beta parameter"),
    ("torch raises on step 1", [*RUN[:-1], "torch:torch.optim.SparseAdam"], "the first step raised RuntimeError"),
    ("optax unknown keyword", [*RUN[:-1], "optax:optax.adam:lr=0.1"], "unexpected keyword argument 'lr'"),
    ("adapter with a schedule", [*RUN[:-1], "torch:torch.optim.SGD:lr=0.1@cosine:T_max=9"],
     "schedules (@...) apply to our own optimizers"),
    ("optax not a factory", [*RUN[:-1], "optax:optax.contrib"], "may name only functions defined in optax"),
    # images that cannot be compared
    ("not an image", ["compare", "broken.py", "broken.py"], "not an image"),
    ("missing image", ["compare", "none.gif", "none.gif"], "no such file"),
    ("existing starter", ["new", "broken", "--dir", "."], "exists already"),
    # start sets (--starts), npz and the views of many starts
    ("grid without points", [*RUN, "--starts", "grid:0x5"], "grid:0x5: a grid needs a whole number of at least 1"),
    ("negative random count", [*RUN, "--starts", "random:-1"], "random:-1: the count must be a whole number from 1"),
    ("disk outside the window", [*RUN, "--starts", "disk:10:center=1.9,0,radius=0.3"],
     "the disk is not inside the window [-2, 2]×[-2, 2]"),
    ("disk outside an ad hoc window", ["render", "--surface", "sphere", "--optimizer", "adam", "--starts",
                                       "disk:10:center=1.9,0,radius=0.3"], "the disk is not inside the window"),
    ("starts past the memory bound", [*RUN, "--starts", "grid:2000x2000", "--steps", "1000"],
     "the paths would need about"),
    ("starts past the count bound", [*RUN, "--starts", "grid:3000x3000"], "9000000 points, more than the 4000000"),
    ("unknown start set", [*RUN, "--starts", "spiral:5"], "unknown start set 'spiral'"),
    ("reduce without npz", [*RUN, "--starts", "grid:10x10", "--reduce"], "--reduce keeps only each path's end"),
    ("paths of a reduced scene", ["render", "himmelblau_basins", "--paths", "p.json"],
     "keeps only where each path ends"),
    ("unknown view", ["render", "rosenbrock", "--view", "hologram"], "'--view': must be one of contour"),
    # data never runs code (issue 23): each file below would run, delete, truncate or import something; the
    # folder's bytes are checked afterwards (the command's output file, the victim folder, precious.txt)
    ("toml runs a command", ["render", "system.toml"], "optax:os.system: a TOML scene file may name only optax"),
    ("toml runs a command, list", ["list", "system.toml"], "not os: data never imports other modules"),
    ("toml runs a command, describe", ["describe", "system.toml"], "pass --allow-module os on the command line"),
    ("toml deletes a folder", ["list", "rmtree.toml"], "optax:shutil.rmtree: a TOML scene file may name only"),
    ("toml truncates a file", ["render", "truncate.toml"], "optax:builtins.open: a TOML scene file may name only"),
    ("toml imports this", ["render", "this.toml"], "torch:this.x: a TOML scene file may name only torch.optim"),
    ("toml imports antigravity", ["render", "antigravity.toml"], "not antigravity: data never imports"),
    ("toml imports a file beside it", ["render", "evil.toml"], "torch:evil.X: a TOML scene file may name only"),
    ("toml walks out through __", ["render", "dunder.toml"], "names with __ parts are never looked up"),
    ("toml optax object not a function", ["render", "optaxmodule.toml"], "may name only functions defined in optax"),
    ("command line imports this", [*RUN[:-1], "torch:this.x"], "to import this, add --allow-module this"),
    ("command line runs a command", [*RUN[:-1], "optax:os.system:command=touch"], "add --allow-module os"),
    ("allow-module not a name", [*RUN, "--allow-module", "os;rm"], "is not a module name"),
    # the other doors of issue 23: bounded, one line, nothing left behind
    ("toml nested deeply", ["render", "deep.toml"], "arrays or tables nested more than 16 deep"),
    ("toml too large", ["list", "large.toml"], "more than the 1 MiB a scene file may have"),
    ("rate overflows, run", [*RUN[:-1], "adam:lr=0.1@exponential:gamma=1e308", "--steps", "5"],
     "the learning rate of update 2 is inf, not a finite number"),
    ("rate overflows, lr panel", ["render", "--surface", "sphere", "--optimizer", "adam@exponential:gamma=1e308",
                                  "--steps", "5", "--lr-panel", "-o", "new/x.gif"], "update 2 is inf"),
    ("rate overflows, --paths", ["render", "--surface", "sphere", "--optimizer", "adam@exponential:gamma=1e308",
                                 "--steps", "5", "-o", "new/x.gif", "--paths", "other/p.json"], "update 2 is inf"),
    ("too many milestones", [*RUN[:-1], "sgd@multistep:milestones=[" + ",".join(map(str, range(101))) + "]"],
     "milestones has 101 values; at most 100"),
    ("schedule chain too long", [*RUN[:-1], "sgd" + "@linear:total_iters=1" * 21],
     "a schedule chain holds at most 20 schedules, got 21"),
    ("toml too many racers", ["render", "racers.toml"], "optimizers: 33 tables, more than the 32 a scene may race"),
    ("run too many racers", [*RUN, *["--optimizer", "adam"] * 32], "33 optimizers, more than the 32 one run"),
    ("csv values overflow", ["render", "fig5_ewa", "--series", "huge.csv", "--column", "Close", "-o", "e.gif"],
     "huge.csv:2: Close is 1e+308, beyond the ±1e+200 the figure can draw"),
    ("csv blank lines count", ["render", "fig5_ewa", "--series", "blank.csv", "--column", "Close"],
     "has more than 100000 rows (blank lines count)"),
    ("csv too many columns", ["render", "fig5_ewa", "--series", "wide.csv", "--column", "c0"],
     "has 1001 columns, more than the 1000"),
    ("reduce past an hour", [*RUN, "--starts", "grid:2000x2000", "--steps", "10000", "--reduce", "--format", "npz",
                             "-o", "r.npz"], "this run would take about 3.3 h"),
    ("lbfgs inner work", [*RUN[:-1], "torch:torch.optim.LBFGS:max_iter=1000000000,tolerance_grad=0,tolerance_change=0"],
     "one step evaluated the objective more than 100 times"),
    ("fifo scene", ["render", "fifo.toml"], "scene file fifo.toml is not a regular file (a FIFO)"),
    ("fifo series", ["render", "fig5_ewa", "--series", "fifo.csv", "--column", "Close"],
     "is not a regular file (a FIFO)"),
    ("too many frames compared", ["compare", "many.gif", "many.gif"],
     "many.gif: 100001 frames, more than the 100000 an animation may have to compare"),
    ("fifo compared", ["compare", "fifo.csv", "broken.py"], "file fifo.csv is not a regular file (a FIFO)"),
    ("unreadable scene", ["render", "locked/s.toml"], "cannot read scene file locked/s.toml: permission denied"),
    ("full disk", ["render", "rosenbrock", "--frames", "3", "--size", "64x64", "-o", "new/full.gif"],
     "cannot write new/full.gif: No space left on device; nothing was written"),
    ("mp4 named html", ["render", "saddle", "--frames", "2", "--size", "64x64", "--format", "mp4", "-o", "x.html"],
     "x.html is named as html, but the format asked for is mp4"),
    ("adapter keyword not finite", [*RUN[:-1], "torch:torch.optim.Adam:lr=0.1,eps=inf"],
     "eps must hold finite numbers, got inf"),
    ("adapter tuple not finite", ["render", "--surface", "sphere", "--optimizer",
                                  "torch:torch.optim.Adam:betas=(0.9,nan)", "--paths", "p.json"],
     "betas must hold finite numbers, got (0.9,nan)"),
    ("lr panel without a rate", ["render", "--surface", "sphere", "--optimizer", "optax:optax.adam:learning_rate=none",
                                 "--lr-panel"], "lr_panel draws each racer's learning rate"),
    ("side panels without room", ["render", "--surface", "himmelblau", "--optimizer", "adam", "--steps", "2", "--size",
                                  "64x64", "--loss-panel", "--lr-panel", "-o", "o.gif"],
     "a 64x64 frame leaves the plot and its side panels (loss, learning rate) no room; use a size of at least 100x100"),
    ("control character in a name", ["list", "title.toml"],
     "title.toml: name holds the control character U+001B; text in a scene file may hold none"),
    ("control character in a label", ["describe", "label.toml"],
     "optimizers[0].label holds the control character U+009B"),
    ("control character in a key", ["render", "key.toml"], "view.x\\x07 holds the control character U+0007"),
    ("control character in a csv header", ["render", "fig5_ewa", "--series", "bell.csv", "--column", "Close"],
     "has no column 'Close' (columns: Date, Cl\\x1b[2Jose)"),
    # formats say what they are (issue 24)
    ("unknown extension", ["render", "rosenbrock", "-o", "out.jpg"],
     "out.jpg: no format writes .jpg files; the formats: gif (.gif), png (.png)"),
    ("extension of another format", ["render", "rosenbrock", "-o", "out.pdf", "--format", "gif"],
     "out.pdf is named as pdf, but the format asked for is gif"),
    ("unknown extension in toml", ["render", "jpeg.toml"], "no format writes .jpeg files"),
    ("toml output into .git", ["render", "dotgit.toml"], "[output] path '.git/config': .git is a hidden name"),
    ("toml render past an hour", ["render", "bigrender.toml"],
     "this render would take about 23.3 h (100000 frames of 4096x4096), more than the 1 h"),
    ("toml check past an hour", ["check", "bigrender.toml"], "this render would take about 23.3 h"),
    ("toml output without its suffix", ["render", "nosuffix.toml"], "[output] path 'notes' must end in .gif"),
    ("basins as a vector still", ["render", "himmelblau_basins", "-o", "b.svg"], "has no svg form; use png"),
    # pauses, waivers and the frame checker
    ("malformed pauses", ["render", "rosenbrock", "--pauses", "exits,soon"], "must be a list of at most 1000 steps"),
    ("negative pause", ["render", "rosenbrock", "--pause", "-1"], "'--pause': must be a number from 0 to 60"),
    ("too many pauses", ["render", "rosenbrock", "--pauses", ",".join(map(str, range(1001)))],
     "must be a list of at most 1000 steps"),
    ("too many pauses in toml", ["render", "pauses.toml"], "must be a list of at most 1000 steps"),
    ("unknown waiver", ["render", "badwaiver.toml"], "waivers: must be a table of frame checks"),
    ("check nothing", ["check"], "name the scenes to check, or give --all"),
    ("check unknown scene", ["check", "no_such_scene"], "unknown scene 'no_such_scene'"),
    ("check an ad hoc scene", ["check", "rosenbrock", "--surface", "sphere"], "--surface describes an ad hoc scene"),
    ("check past the memory bound", ["check", "grid.toml"], "the paths would need about 3729 GiB of memory"),
    ("check an option no scene has", ["check", "fig4_minibatches", "--trail", "tail"],
     "--trail does not apply to fig4_minibatches"),
    # network scenes (issue 29): every bad network, dataset, projection or combination
    ("network unknown model", [*NET, "cnn:2-4-1"], "unknown model 'cnn'"),
    ("network zero width", [*NET, "mlp:2-0-1"], "a layer's width must be a whole number from 1 to 256, got 0"),
    ("network too wide", [*NET, "mlp:2-100000-1"], "got 100000"),
    ("network unknown activation", [*NET, "mlp:2-8-1:swish"], "swish"),
    ("network inputs not the data's", [*NET, "mlp:3-8-1"], "takes 3 inputs, the dataset"),
    ("network outputs not the loss's", [*NET, "mlp:2-8-3"], "has 3 outputs; loss bce"),
    ("network unknown dataset", [*NET, "mlp:2-8-1", "--dataset", "moonz"], "unknown dataset 'moonz'"),
    ("network too many samples", [*NET, "mlp:2-8-1", "--dataset", "moons:n=10000000"], "n must be"),
    ("network dataset bad key", [*NET, "mlp:2-8-1", "--dataset", "moons:wobble=1"], "unknown key 'wobble'"),
    ("network unknown projection", [*NET, "mlp:2-8-1", "--projection", "tsne"], "unknown projection 'tsne'"),
    ("network projection racer missing", [*NET, "mlp:2-8-1", "--projection", "plane:racers=[0,5]"],
     "racer 5 does not exist"),
    ("network projection same racers", [*NET, "mlp:2-8-1", "--projection", "plane:racers=[1,1]"],
     "must be two different racers"),
    ("network with a surface", [*NET, "mlp:2-8-1", "--surface", "sphere"], "--surface does not go with them"),
    ("network without optimizer", ["render", "--network", "mlp:2-8-1"], "needs at least one --optimizer"),
    ("network with 33 racers", ["render", "--network", "mlp:2-8-1", *["--optimizer", "adam"] * 33],
     "33 optimizers, more than the 32 a scene may race"),
    ("network past the memory bound", [*NET[:-3], "--steps", "100000", "--network", "mlp:2-128-128-128-1"],
     "the network paths would need about"),
    ("projection on a race", ["render", "rosenbrock", "--projection", "pca"], "--projection does not apply"),
    ("network toml csv outside", ["render", "netescape.toml"], "must stay inside the scene file's folder"),
    ("network toml csv absolute", ["render", "netabsolute.toml"], "must stay inside the scene file's folder"),
    ("network toml csv hidden", ["render", "nethidden.toml"], ".data is a hidden name"),
    ("network toml csv suffix", ["render", "netsuffix.toml"], "must end in .csv"),
    ("network toml bad values", ["render", "netbad.toml"],
     "3 problems: steps: must be a whole number from 1 to 1000000, got 0; network.loss_grid: must be a whole number "
     "from 2 to 400, got 1; network.model: unknown model 'cnn'"),
    ("network toml batch over data", ["render", "netbatch.toml"], "more than the 40 training samples"),
    ("network toml past an hour", ["render", "netlong.toml"], "this render would take about"),
    ("network toml decision grids", ["render", "netgrids.toml"], "the decision grids would need about"),
    ("network output over its dataset", [*NET[:-1], "--network", "mlp:2-4-1", "--dataset",
                                         "csv:path=points.gif,target=y", "-o", "points.gif"],
     "-o points.gif is the dataset of network: an output never overwrites an input"),
]

SCENE_FILES = {
    "broken.py": "from trajectories.scene import Scene\nx = (\n",
    "raises.py": "from trajectories.scene import Scene\n\nscene = Scene(undefined_name)\n",
    "badvalue.py": "from trajectories.scene import Scene\ns = Scene('s', 'sphere', ['adam:lr=-1'])\n",
    "mine.py": "from trajectories.scene import Scene\ns = Scene('s', 'sphere', ['adam'], steps=3)\n",
    "broken.toml": "surface = [unclosed\n",
    "badvalues.toml": 'surface = "sphere"\nsteps = -1\n[[optimizers]]\nname = "adam"\n[view]\nfps = 0\n',
    "badtheme.toml": 'surface = "sphere"\n[[optimizers]]\nname = "adam"\n[view]\ntheme = "neon"\n',
    "escape.toml": 'surface = "sphere"\n[[optimizers]]\nname = "adam"\n[output]\npath = "../escaped.gif"\n',
    "absolute.toml": 'surface = "sphere"\n[[optimizers]]\nname = "adam"\n[output]\npath = "/tmp/escaped.gif"\n',
    "badschedule.toml": 'surface = "sphere"\n[[optimizers]]\nname = "adam"\nschedule = "warmup"\n',
    "jpeg.toml": 'surface = "sphere"\n[[optimizers]]\nname = "adam"\n[output]\npath = "out.jpeg"\n',
    "badwaiver.toml": 'surface = "sphere"\nwaivers = { sparkle = "why" }\n[[optimizers]]\nname = "adam"\n',
    "prices.csv": "Date,Close\n" + "".join(f"d{i},{100 + i % 7}\n" for i in range(20)),
    "system.toml": 'surface = "sphere"\n[[optimizers]]\nname = "optax:os.system"\n'
                   'hyperparameters = { command = "id > ran.txt" }\n',
    "rmtree.toml": 'surface = "sphere"\n[[optimizers]]\nname = "optax:shutil.rmtree"\n'
                   'hyperparameters = { path = "victim" }\n',
    "truncate.toml": 'surface = "sphere"\n[[optimizers]]\nname = "optax:builtins.open"\n'
                     'hyperparameters = { file = "precious.txt", mode = "w" }\n',
    "this.toml": 'surface = "sphere"\n[[optimizers]]\nname = "torch:this.x"\n',
    "antigravity.toml": 'surface = "sphere"\n[[optimizers]]\nname = "torch:antigravity.x"\n',
    "evil.toml": 'surface = "sphere"\n[[optimizers]]\nname = "torch:evil.X"\n',
    "evil.py": "open('evil_ran.txt', 'w').write('imported')\nX = 1\n",
    "dunder.toml": 'surface = "sphere"\n[[optimizers]]\nname = "optax:optax.adam.__globals__.os.system"\n',
    "optaxmodule.toml": 'surface = "sphere"\n[[optimizers]]\nname = "optax:optax.contrib"\n',
    "precious.txt": "precious",
    "title.toml": 'name = "x\\u001b]0;PWNED\\u0007y"\nsurface = "sphere"\n[[optimizers]]\nname = "adam"\n',
    "label.toml": 'surface = "sphere"\n[[optimizers]]\nname = "adam"\nlabel = "a\\u009b31mb"\n',
    "key.toml": 'surface = "sphere"\n[[optimizers]]\nname = "adam"\n[view]\n"x\\u0007" = 1\n',
    "bell.csv": "Date,Cl\x1b[2Jose\nd0,1\nd1,2\n",
    "bigrender.toml": 'surface = "himmelblau"\nsteps = 99999\n[[optimizers]]\nname = "adam"\n'
                      '[view]\nsize = [4096, 4096]\n',
    "dotgit.toml": 'surface = "sphere"\n[[optimizers]]\nname = "adam"\n[output]\npath = ".git/config"\n'
                   'format = "gif"\n',
    ".git/config": "[core]\n",
    "nosuffix.toml": 'surface = "sphere"\n[[optimizers]]\nname = "adam"\n[output]\npath = "notes"\nformat = "gif"\n',
    "pauses.toml": 'surface = "sphere"\n[[optimizers]]\nname = "adam"\n[view]\npauses = [' + ",".join(
        map(str, range(99_999))) + "]\n",
    "grid.toml": 'surface = "himmelblau"\nstarts = "grid:2000x2000"\nsteps = 1000\n[[optimizers]]\nname = "adam"\n',
    "deep.toml": "x = " + "[" * 100_000 + "]" * 100_000 + "\n",
    "large.toml": 'surface = "sphere"\n' + "# a comment\n" * 100_000,
    "racers.toml": 'surface = "sphere"\n' + '[[optimizers]]\nname = "adam"\n' * 33,
    "huge.csv": "Date,Close\nd0,1e308\nd1,1\n",
    "blank.csv": "Date,Close\n" + "\n" * 100_001,
    "wide.csv": ",".join(f"c{i}" for i in range(1001)) + "\n" + ",".join("1" * 1001) + "\n",
    "locked/s.toml": 'surface = "sphere"\n[[optimizers]]\nname = "adam"\n',
    "victim/kept.txt": "kept",
    "keep.json": "precious",
    "points.gif": "a,b,y\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(20)),
    "netescape.toml": NET_TOML + 'dataset = { kind = "csv", path = "../p.csv", target = "y" }\n',
    "netabsolute.toml": NET_TOML + 'dataset = "csv:path=/etc/p.csv,target=y"\n',
    "nethidden.toml": NET_TOML + 'dataset = { kind = "csv", path = ".data/p.csv", target = "y" }\n',
    "netsuffix.toml": NET_TOML + 'dataset = { kind = "csv", path = "prices.txt", target = "y" }\n',
    "netbad.toml": 'steps = 0\n[[optimizers]]\nname = "adam"\n[network]\nmodel = "cnn:2"\nloss_grid = 1\n',
    "netbatch.toml": 'steps = 2\n[[optimizers]]\nname = "adam"\nbatch_size = 1000\n[network]\n'
                     'model = "mlp:2-4-1"\ndataset = "moons:n=40"\n',
    "netlong.toml": 'steps = 20000\n' + '[[optimizers]]\nname = "adam"\n' * 4 + '[network]\n'
                    'model = "mlp:2-64-64-1"\ndataset = "moons:n=10000"\nboundaries = 0\n',
    "netgrids.toml": 'steps = 200\n[[optimizers]]\nname = "adam"\n[[optimizers]]\nname = "sgd"\n[network]\n'
                     'model = "mlp:2-4-16"\ndataset = "blobs:classes=16"\nboundaries = 200\ndecision_grid = 400\n',
}


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A folder of prepared inputs, as the current folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_file").write_text("")
    (tmp_path / "a_folder").mkdir()
    for name, text in SCENE_FILES.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    for name in ("fifo.toml", "fifo.csv"):
        os.mkfifo(tmp_path / name)
    return tmp_path


def _locked_folder(monkeypatch):
    """``locked/`` may not be read (as a folder without the x bit, for a user who is not root)."""
    import trajectories.trust.inputs

    real = os.open

    def refuse(path, *args, **kwargs):
        if "locked" in os.fsdecode(path).split(os.sep):
            raise PermissionError(13, "Permission denied", path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(trajectories.trust.inputs.os, "open", refuse)


def _full_disk(monkeypatch):
    """Every write of GIF frames fails as on a full disk."""
    import errno

    from trajectories.writers.gif import GifWriter

    def full(self, frame, delay):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(GifWriter, "add", full)


def _many_frames(monkeypatch):
    """``many.gif``: 100,001 frames of 1x1 (3.7 MB), one more than an animation may have."""
    import io

    from PIL import Image

    frames = [Image.new("P", (1, 1), color) for color in (0, 1, 0)]
    for frame in frames:
        frame.putpalette([0, 0, 0, 255, 255, 255])
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=20, loop=0)
    data = buffer.getvalue()
    _, second, third = (i for i in range(len(data) - 1) if data[i:i + 2] == b"\x21\xf9")  # each frame's header
    with open("many.gif", "wb") as file:
        file.write(data[:second] + data[second:third] * 99_999 + data[third:])


SETUPS = {"unreadable scene": _locked_folder, "full disk": _full_disk, "too many frames compared": _many_frames}
"""What some rows need besides files: a folder one may not read, a full disk."""


def _contents(folder):
    return {path.relative_to(folder): path.read_bytes() if path.is_file() else None for path in folder.rglob("*")}


def assert_refused(result, message: str | None = None) -> None:
    """``result`` (click's) is a refusal: exit 2, nothing on stdout, one ``trajectories: error:`` line."""
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.stdout == ""
    assert result.stderr.startswith("trajectories: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    if message is not None:
        assert message in result.stderr, result.stderr


NEEDS_LIBRARY = {"toml optax object not a function": "optax", "lbfgs inner work": "torch",
                 "adapter keyword not finite": "torch", "adapter tuple not finite": "torch",
                 "lr panel without a rate": "optax"}
"""Cases whose refusal comes after the library is imported (without it: one line naming the extra). The rows
naming modules outside the allow-list need nothing: they are refused before any import."""


@pytest.mark.parametrize(("case", "args", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(workdir, request, monkeypatch, case, args, message):
    if case.startswith(("torch ", "optax ")):  # the message is the library's own: it must be installed
        require(case.split()[0])
    if case in NEEDS_LIBRARY:  # refused by what the library says of the object, once the name is allowed
        require(NEEDS_LIBRARY[case])
    if case == "no ffmpeg":
        request.getfixturevalue("no_ffmpeg")
    if case in SETUPS:
        SETUPS[case](monkeypatch)
    if args[0] == "run" and "-o" not in args:
        args = [*args, "-o", "keep.json"]
    before = _contents(workdir)
    outside = workdir.parent / "escaped.gif"
    assert not outside.exists()
    imported = {"this", "antigravity", "evil"} & set(sys.modules)
    result = CliRunner().invoke(cli, args)
    assert_refused(result, message)
    assert _contents(workdir) == before  # nothing written or changed, not even output/
    assert not outside.exists()
    assert {"this", "antigravity", "evil"} & set(sys.modules) == imported  # no module named by data was imported


def test_the_table_is_large_and_its_ids_unique():
    ids = [case[0] for case in CASES]
    assert len(set(ids)) == len(ids)
    assert set(NEEDS_LIBRARY) <= set(ids)
    assert len(CASES) >= 80
