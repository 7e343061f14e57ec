"""The data keys' upkeep: moving every encrypted value under the current DATA_KEY."""
