"""Reports: `data` assembles a report from the apps' selectors, `rendering` draws it."""
