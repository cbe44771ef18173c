"""nnlib (being assembled; the full __init__ lands when every module exists)."""
