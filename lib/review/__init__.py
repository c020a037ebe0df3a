"""What the results and review pages show and save, without Streamlit.

``flatten`` turns a job into aligned value / confidence / citation frames (the one way every page
reads a result), ``export`` turns those frames into downloads, ``store`` keeps the reviewers'
decisions. Import the submodules directly; this package imports nothing, so loading the review
store does not load pandas.
"""
