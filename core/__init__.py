"""What all stages share: settings, the store, errors, logging, the command line."""
