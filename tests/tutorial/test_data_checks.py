"""The data helpers take bools and integers only (a string or a float is a TypeError)."""
import pytest

from mxsched.tutorial import load_data, load_dataset


def test_shuffle_must_be_a_bool():
    with pytest.raises(TypeError, match=r"shuffle must be True or False, got 'no'"):
        load_data(32, "digits", shuffle="no", verbose=False)


@pytest.mark.parametrize("channels", [3.0, True])
def test_channels_must_be_an_integer(channels):
    with pytest.raises(TypeError, match=rf"channels must be a positive integer, got {channels!r}"):
        load_dataset("digits", channels=channels, verbose=False)
