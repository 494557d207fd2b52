"""What an input file is and whether we accept it: kinds, limits on raw bytes, active content."""
