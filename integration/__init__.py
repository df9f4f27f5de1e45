"""The only bridge between the storefront and the marketplace. Imports neither."""
