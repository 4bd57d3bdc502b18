"""Allow ``python -m qi``."""

from qi.cli import main

if __name__ == "__main__":
    main()
