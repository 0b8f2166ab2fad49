// What this page says about the stack that serves it. The launcher writes /stack.json next to the page each
// time the web server starts: the design, how the zone publishes www, and the address and port of every tier
// behind this web server. Without it (a web server run on its own) the page keeps its default text.
// Everything is inserted with textContent, never as HTML.
(function () {
  'use strict';

  function byId(id) {
    return document.getElementById(id);
  }

  function code(text) {
    var element = document.createElement('code');
    element.textContent = text;
    return element;
  }

  function strong(text) {
    var element = document.createElement('strong');
    element.textContent = text;
    return element;
  }

  /** "www.foobar.com" or "127.0.0.1": a name was looked up only in the first case. */
  function isAddressLiteral(host) {
    return /^[0-9.]+$/.test(host) || host.indexOf(':') >= 0 || host === 'localhost';
  }

  // The opening line: a browser that was given an address (http://127.0.0.1:8080/) made no DNS query at all.
  var intro = byId('path-intro');
  if (isAddressLiteral(location.hostname)) {
    intro.replaceChildren('You opened ', code(location.host), ': an address, not a name, so your browser made '
      + 'no DNS query and went straight to the web server. Three kinds of server answered; the fourth, the DNS '
      + 'server, is the one a browser asks first when given a name such as ', code('www.foobar.com'), ':');
  } else {
    intro.replaceChildren('Your browser asked for ', code(location.hostname), '. A DNS lookup gave it an '
      + 'address, then it connected there itself; four kinds of server worked together to answer:');
  }

  fetch('/stack.json', { headers: { 'Accept': 'application/json' } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (stack) {
      if (!stack) return;
      var dig = 'dig www.foobar.com A';
      if (stack.dns) {
        byId('dns-port').textContent = 'UDP/TCP ' + stack.dns.port + ' on ' + stack.dns.address;
        dig = 'dig @' + stack.dns.address + ' -p ' + stack.dns.port + ' ' + stack.www.name + ' A';
      }
      byId('dig-command').textContent = dig;
      var addresses = (stack.www.addresses || []).join(', ');
      if (stack.www.type === 'CNAME') {
        byId('www-record').replaceChildren('Here ', code('www'), ' is a ', strong('CNAME record'),
          ': an alias that says "ask for ', code(stack.www.target), ' instead", which has the A record ('
          + addresses + '). The DNS server follows the alias inside its own zone and returns both records.');
      } else {
        byId('www-record').replaceChildren('Here ', code('www'), ' is an ', strong('A record'),
          ': a name that points straight at an IPv4 address (' + addresses + ').');
      }
      var web = stack.web;
      byId('web-ports').textContent = 'TCP ' + web.port + ' (HTTP)' + (web.httpsPort ? ', '
        + web.httpsPort + ' (HTTPS)' : '') + ' on ' + web.address + ', ' + web.instance;
      byId('http-port-text').textContent = 'port ' + web.port + ' here';
      byId('https-port-text').textContent = web.httpsPort ? 'port ' + web.httpsPort + ' here'
        : 'not served by this web server';
      byId('app-port').textContent = 'TCP ' + stack.app.port + ' (FastCGI) on ' + stack.app.address + ', '
        + stack.app.instance;
      if (stack.db) {
        byId('db-port').textContent = 'TCP ' + stack.db.port + ' on ' + stack.db.address + ', ' + stack.db.instance;
      }
    })
    .catch(function () { /* keep the default text */ });
})();
