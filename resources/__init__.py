"""Files the app ships (demo diary, icons, style sheets), found with importlib.resources."""
