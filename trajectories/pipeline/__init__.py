"""What a render will do and its stages: the plan, its limits, scene -> paths -> view -> file, the frame checker."""
