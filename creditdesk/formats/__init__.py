"""Our own Django format modules (`FORMAT_MODULE_PATH`), one package per language that needs
one; a language without one here keeps Django's (Spanish does)."""
