// Progressive enhancement: offer "use my current location" where the browser can; the form
// works without it (address or kern), and the server checks the point lies in the municipality.
(function () {
  var button = document.querySelector("[data-noaber-locate]");
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("id_latitude").value = position.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = position.coords.longitude.toFixed(6);
    });
  });
})();
