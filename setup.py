"""The package list for setuptools; everything else is in pyproject.toml.

Every subpackage of gdplayground is found, so new ones need no change here. The
top-level resources/ folder is installed as gdplayground.resources, its
subfolders (lessons/, ...) as its subpackages; pyproject.toml alone cannot
combine found packages with a folder mapped to another name.
"""

from setuptools import find_namespace_packages, find_packages, setup

resource_folders = find_namespace_packages(
    "resources", exclude=["screenshots", "screenshots.*", "*__pycache__"]
)

setup(
    packages=[
        *find_packages(include=["gdplayground", "gdplayground.*"]),
        "gdplayground.resources",
        *(f"gdplayground.resources.{name}" for name in resource_folders),
    ]
)
