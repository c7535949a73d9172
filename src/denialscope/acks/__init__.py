"""Acknowledgments (999, 277CA): front-end acceptance or rejection of submitted claims."""
