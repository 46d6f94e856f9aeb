"""A minimal django-oscar shop with django-oscar-api, served by waitress for the
end-to-end tests. It runs in its own virtual environment (.venv-oscar), never in the
app's: nothing here is imported by the app or by the tests' own interpreter."""
