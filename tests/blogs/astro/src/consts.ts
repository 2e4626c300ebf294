// Place any global data in this file.
export const SITE_TITLE = 'Stargazer Log';
export const SITE_DESCRIPTION = 'Nights under a small telescope.';
