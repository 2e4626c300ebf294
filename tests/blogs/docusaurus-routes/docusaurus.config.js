// @ts-check
// A project site under a path (baseUrl), docs at the site's root and
// the blog read from journal/ and published at /diary.
/** @type {import('@docusaurus/types').Config} */
const config = {
  title: 'Rain Gauge Handbook',
  tagline: 'Building and reading a rain gauge',
  url: 'https://gauges.example.org',
  baseUrl: '/handbook/',
  i18n: { defaultLocale: 'en-GB', locales: ['en-GB'] },
  presets: [
    [
      'classic',
      {
        docs: {
          routeBasePath: '/',
          sidebarPath: require.resolve('./sidebars.js'),
        },
        blog: {
          path: 'journal',
          routeBasePath: 'diary',
          showReadingTime: true,
        },
      },
    ],
  ],
};

module.exports = config;
