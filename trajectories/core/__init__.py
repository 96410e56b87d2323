"""Update rules and their specs: transforms, optimizers, schedules, what optimizers hold, portable arithmetic."""
