"""Acknowledgments: 277CA claim acknowledgments and 999 (or 997) functional acknowledgments."""
