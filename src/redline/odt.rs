//! ODT redline (being written).
