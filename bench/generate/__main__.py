"""`python -m bench.generate`: see `bench.generate.cli`."""

from bench.generate.cli import main

if __name__ == "__main__":
    main()
