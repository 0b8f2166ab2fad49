// foobar.com guestbook: lists GET /api/messages and posts POST /api/messages.
// User text is always inserted with textContent, never as HTML, so a message cannot inject markup or script.
// Version 2 of the application also sends X-Message-Count with the list; version 1 does not, and the count stays
// hidden. The footer says which app server and which version answered, from the passport GET /api/whoami.
(function () {
  'use strict';

  var list = document.getElementById('messages');
  var form = document.getElementById('guestbook-form');
  var status = document.getElementById('guestbook-status');
  var count = document.getElementById('message-count');
  var answeredBy = document.getElementById('answered-by');
  document.getElementById('scheme').textContent = location.protocol === 'https:' ? 'HTTPS' : 'HTTP';

  function show(message) {
    var item = document.createElement('li');
    var author = document.createElement('span');
    author.className = 'author';
    author.textContent = message.author;
    var when = document.createElement('span');
    when.className = 'when';
    when.textContent = message.createdAt ? new Date(message.createdAt).toLocaleString() : '';
    var body = document.createElement('p');
    body.className = 'body';
    body.textContent = message.body;
    item.appendChild(author);
    item.appendChild(when);
    item.appendChild(body);
    return item;
  }

  function render(messages) {
    list.replaceChildren.apply(list, messages.map(show));
    if (messages.length === 0) {
      var empty = document.createElement('li');
      empty.textContent = 'No messages yet. Be the first.';
      list.appendChild(empty);
    }
  }

  function load() {
    return fetch('/api/messages', { headers: { 'Accept': 'application/json' } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error('the API answered ' + response.status);
        }
        showCount(response.headers.get('X-Message-Count'));
        return response.json();
      })
      .then(function (data) { render(data.messages || []); })
      .catch(function (error) {
        status.textContent = 'Could not load messages: ' + error.message
          + ' (is the application server running?)';
      })
      .then(showWhoAnswered);
  }

  function showCount(total) {
    count.hidden = total === null;
    count.textContent = total === null ? '' : total + (total === '1' ? ' message' : ' messages')
      + ' in the guestbook (counted by version 2 of the application)';
  }

  function showWhoAnswered() {
    return fetch('/api/whoami', { headers: { 'Accept': 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (passport) {
        answeredBy.textContent = !passport ? '' : 'The last API request was answered by app server '
          + passport.appServer.instance + ', running guestbook ' + passport.version + ', through web server '
          + (passport.webServer.instance || passport.webServer.serverSoftware) + '.';
      })
      .catch(function () { answeredBy.textContent = ''; });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var payload = { author: form.author.value, body: form.body.value };
    status.textContent = 'Sending...';
    fetch('/api/messages', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
      body: JSON.stringify(payload)
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.status !== 201) {
            throw new Error(data.error || data.message || ('the API answered ' + response.status));
          }
          return data;
        });
      })
      .then(function () {
        form.body.value = '';
        status.textContent = 'Thank you! Your message is stored.';
        return load();
      })
      .catch(function (error) { status.textContent = 'Not stored: ' + error.message; });
  });

  load();
}());
